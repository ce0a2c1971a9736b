/*
 * bench_codec.c - throughput of the sector codec.
 *
 * Usage: bench/bench_codec [MiB]
 *
 * Runs each codec operation over MiB (default 256) of 2048-byte user data,
 * i.e. MiB * 512 sectors, and prints MB/s (10^6 bytes) of user data and
 * the speed as a fraction of memcpy() of the same user bytes.  The
 * sectors live in a 16 MiB ring, larger than the caches of most cores, so
 * memory traffic counts as it would in a real conversion.  Each figure is
 * the best of three runs.
 *
 * Then the EDC alone over one sector that stays in cache, per call, in
 * nanoseconds and, on x86, time-stamp counter ticks: what the code costs
 * with memory out of the way.  Each call starts from the last one's
 * result, so calls do not overlap.
 *
 * Not a test: it checks nothing and always exits 0 unless its arguments
 * are bad.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#if (defined(__x86_64__) || defined(__i386__)) && defined(__GNUC__)
#include <x86intrin.h>
#define HAVE_TSC	1
#endif

#include "optimg.h"

#define RING_SECTORS	7000	/* ~16 MiB of raw sectors */
#define RUNS		3
#define HOT_CALLS	100000

enum op {
	OP_MEMCPY,
	OP_EDC,
	OP_ECC,
	OP_MODE1,
	OP_FORM1,
	OP_CHECK,
	OP_SCRAMBLE,
};

static const struct {
	enum op		 op;
	const char	*name;
} ops[] = {
	{ OP_MEMCPY,	"memcpy 2048" },
	{ OP_EDC,	"EDC (Mode 1, 2064 bytes)" },
	{ OP_ECC,	"ECC P+Q" },
	{ OP_MODE1,	"Mode 1 encode" },
	/* Check before Form 1 encode turns the ring into Form 1 sectors. */
	{ OP_CHECK,	"Mode 1 check" },
	{ OP_FORM1,	"Mode 2 Form 1 encode" },
	{ OP_SCRAMBLE,	"scramble" },
};

static uint8_t *user;	/* RING_SECTORS x 2048 */
static uint8_t *raw;	/* RING_SECTORS x 2352, valid Mode 1 sectors */
static volatile uint32_t sink;	/* keeps results alive */

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void
run_one(enum op op, size_t i)
{
	uint8_t *s = raw + i * OPTIMG_RAW_SECTOR;
	const uint8_t *u = user + i * OPTIMG_USER_SECTOR;

	switch (op) {
	case OP_MEMCPY:
		memcpy(s + 16, u, OPTIMG_USER_SECTOR);
		break;
	case OP_EDC:
		sink ^= optimg_edc(0, s, 2064);
		break;
	case OP_ECC:
		optimg_ecc_generate(s);
		break;
	case OP_MODE1:
		optimg_sector_from_user(s, u, (int32_t)i,
		    OPTIMG_SECTOR_MODE1, NULL);
		break;
	case OP_FORM1:
		optimg_sector_from_user(s, u, (int32_t)i,
		    OPTIMG_SECTOR_MODE2_FORM1, NULL);
		break;
	case OP_CHECK:
		sink ^= optimg_sector_check(s, (int32_t)i);
		break;
	case OP_SCRAMBLE:
		optimg_scramble(s);
		break;
	}
}

/* Seconds for nsectors operations, cycling through the ring. */
static double
time_op(enum op op, size_t nsectors)
{
	double t0;
	size_t n, i = 0;

	t0 = now();
	for (n = 0; n < nsectors; n++) {
		run_one(op, i);
		if (++i == RING_SECTORS)
			i = 0;
	}
	return now() - t0;
}

static uint64_t
ticks(void)
{
#ifdef HAVE_TSC
	return __rdtsc();
#else
	return 0;
#endif
}

/* Best of RUNS: ns and ticks per EDC over len bytes of a cached sector. */
static void
time_edc_hot(size_t len, double *ns, double *tk)
{
	double t0, t;
	uint64_t c0, c;
	uint32_t edc = 0;
	int r, n;

	*ns = *tk = 0;
	for (r = 0; r < RUNS; r++) {
		t0 = now();
		c0 = ticks();
		for (n = 0; n < HOT_CALLS; n++)
			edc = optimg_edc(edc & 1, raw, len);
		c = ticks() - c0;
		t = now() - t0;
		if (*ns == 0 || t * 1e9 / HOT_CALLS < *ns) {
			*ns = t * 1e9 / HOT_CALLS;
			*tk = (double)c / HOT_CALLS;
		}
	}
	sink ^= edc;
}

static void
print_edc_hot(void)
{
	static const struct {
		size_t		 len;
		const char	*name;
	} spans[] = {
		{ 2056, "EDC (Form 1, 2056 bytes)" },
		{ 2064, "EDC (Mode 1, 2064 bytes)" },
		{ 2332, "EDC (Form 2, 2332 bytes)" },
	};
	double ns, tk;
	size_t k;

	printf("\n%-26s %10s %10s\n", "one sector in cache", "ns/call",
	    "ticks/call");
	for (k = 0; k < sizeof(spans) / sizeof(spans[0]); k++) {
		time_edc_hot(spans[k].len, &ns, &tk);
#ifdef HAVE_TSC
		printf("%-26s %10.1f %10.0f\n", spans[k].name, ns, tk);
#else
		printf("%-26s %10.1f %10s\n", spans[k].name, ns, "-");
#endif
	}
}

static void
fill(void)
{
	uint64_t x = 0x9e3779b97f4a7c15u;
	size_t i;

	for (i = 0; i < (size_t)RING_SECTORS * OPTIMG_USER_SECTOR; i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		user[i] = (uint8_t)x;
	}
	for (i = 0; i < RING_SECTORS; i++)
		optimg_sector_from_user(raw + i * OPTIMG_RAW_SECTOR,
		    user + i * OPTIMG_USER_SECTOR, (int32_t)i,
		    OPTIMG_SECTOR_MODE1, NULL);
}

int
main(int argc, char **argv)
{
	double best, t, mbs, memcpy_mbs = 0;
	size_t nsectors, k;
	unsigned long mib = 256;
	char *end;
	int r;

	if (argc > 2 || (argc == 2 && ((mib = strtoul(argv[1], &end, 10)) ==
	    0 || *end != '\0'))) {
		fprintf(stderr, "usage: bench_codec [MiB]\n");
		return 2;
	}
	nsectors = mib * 1024 * 1024 / OPTIMG_USER_SECTOR;
	user = malloc((size_t)RING_SECTORS * OPTIMG_USER_SECTOR);
	raw = malloc((size_t)RING_SECTORS * OPTIMG_RAW_SECTOR);
	if (user == NULL || raw == NULL) {
		fprintf(stderr, "bench_codec: out of memory\n");
		return 1;
	}
	fill();
	printf("%lu MiB of user data (%zu sectors), best of %d runs\n",
	    mib, nsectors, RUNS);
	printf("%-26s %10s %10s\n", "operation", "MB/s", "x memcpy");
	for (k = 0; k < sizeof(ops) / sizeof(ops[0]); k++) {
		best = 0;
		for (r = 0; r < RUNS; r++) {
			t = time_op(ops[k].op, nsectors);
			if (best == 0 || t < best)
				best = t;
		}
		mbs = (double)nsectors * OPTIMG_USER_SECTOR / best / 1e6;
		if (ops[k].op == OP_MEMCPY)
			memcpy_mbs = mbs;
		printf("%-26s %10.0f %10.3f\n", ops[k].name, mbs,
		    mbs / memcpy_mbs);
	}
	print_edc_hot();
	free(user);
	free(raw);
	return 0;
}
