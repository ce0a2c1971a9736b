/*
 * test_rip.c - the pieces of rip and verify that need no drive: the rescue
 * map (set/merge, text round trip, hostile files, save and load), file
 * hashes against published check values, the fault plan, and the DAT
 * tokenizer on real-looking and hostile input; and the drive adapter on
 * libcdio's image drivers, which must look exactly like our own reader.
 */
#include "config.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <zlib.h>

#include <cdio/logging.h>

#include "cunit_main.h"
#include "testdata.h"
#include "rip.h"

static char tmpdir[256];
static unsigned failures_at_setup;

static void
setup(void)
{
	snprintf(tmpdir, sizeof(tmpdir), "%s/test_rip.XXXXXX",
	    getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	CU_ASSERT_FATAL(mkdtemp(tmpdir) != NULL);
	failures_at_setup = CU_get_number_of_failures();
}

/* Keeps the directory of a failed test for a look. */
static void
teardown(void)
{
	char cmd[300];

	if (CU_get_number_of_failures() != failures_at_setup) {
		fprintf(stderr, "\n  kept %s\n", tmpdir);
		return;
	}
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	if (system(cmd) != 0)
		fprintf(stderr, "\n  cannot remove %s\n", tmpdir);
}

/* ---- rescue map: extents ------------------------------------------------ */

/* Tiling, order and merged neighbours: what every map must keep. */
static void
check_invariants(const struct oi_rescue_map *m)
{
	int64_t pos = m->first;

	for (unsigned i = 0; i < m->n; i++) {
		CU_ASSERT_EQUAL(m->ext[i].start, pos);
		CU_ASSERT(m->ext[i].count > 0);
		if (i > 0)
			CU_ASSERT(m->ext[i].status != m->ext[i - 1].status);
		pos += m->ext[i].count;
	}
	CU_ASSERT_EQUAL(pos, m->end);
}

static void
expect_extents(const struct oi_rescue_map *m, const char *want)
{
	char got[512] = "";
	size_t n = 0;

	for (unsigned i = 0; i < m->n && n < sizeof(got); i++)
		n += (size_t)snprintf(got + n, sizeof(got) - n, "%s%ld+%lu:%c",
		    i ? " " : "", (long)m->ext[i].start,
		    (unsigned long)m->ext[i].count,
		    oi_map_status_name(m->ext[i].status)[0]);
	if (strcmp(got, want) != 0)
		fprintf(stderr, "\n  extents: got '%s', want '%s'\n", got, want);
	CU_ASSERT_STRING_EQUAL(got, want);
	check_invariants(m);
}

static void
test_map_set(void)
{
	struct oi_rescue_map m;

	CU_ASSERT_EQUAL(oi_map_init(&m, 0, 100), OPTIMG_OK);
	expect_extents(&m, "0+100:u");
	CU_ASSERT_EQUAL(oi_map_set(&m, 10, 10, OI_MAP_GOOD), OPTIMG_OK);
	expect_extents(&m, "0+10:u 10+10:g 20+80:u");
	/* Next to an extent of its status: merged. */
	CU_ASSERT_EQUAL(oi_map_set(&m, 20, 10, OI_MAP_GOOD), OPTIMG_OK);
	expect_extents(&m, "0+10:u 10+20:g 30+70:u");
	CU_ASSERT_EQUAL(oi_map_set(&m, 0, 10, OI_MAP_GOOD), OPTIMG_OK);
	expect_extents(&m, "0+30:g 30+70:u");
	/* One sector bad in the middle of a good run. */
	CU_ASSERT_EQUAL(oi_map_set(&m, 15, 1, OI_MAP_BAD), OPTIMG_OK);
	expect_extents(&m, "0+15:g 15+1:b 16+14:g 30+70:u");
	/* Spanning several extents. */
	CU_ASSERT_EQUAL(oi_map_set(&m, 5, 90, OI_MAP_BAD), OPTIMG_OK);
	expect_extents(&m, "0+5:g 5+90:b 95+5:u");
	/* The very ends. */
	CU_ASSERT_EQUAL(oi_map_set(&m, 99, 1, OI_MAP_GOOD), OPTIMG_OK);
	CU_ASSERT_EQUAL(oi_map_set(&m, 0, 1, OI_MAP_UNTRIED), OPTIMG_OK);
	expect_extents(&m, "0+1:u 1+4:g 5+90:b 95+4:u 99+1:g");
	CU_ASSERT_EQUAL(oi_map_count(&m, OI_MAP_BAD), 90);
	CU_ASSERT_EQUAL(oi_map_count(&m, OI_MAP_GOOD), 5);
	CU_ASSERT_EQUAL(oi_map_extents(&m, OI_MAP_GOOD), 2);
	CU_ASSERT_EQUAL(oi_map_status_at(&m, 50), OI_MAP_BAD);
	CU_ASSERT_EQUAL(oi_map_status_at(&m, 99), OI_MAP_GOOD);
	/* Everything: one extent. */
	CU_ASSERT_EQUAL(oi_map_set(&m, 0, 100, OI_MAP_GOOD), OPTIMG_OK);
	expect_extents(&m, "0+100:g");
	/* Outside the range, or nothing. */
	CU_ASSERT_EQUAL(oi_map_set(&m, -1, 2, OI_MAP_BAD), OPTIMG_ERANGE);
	CU_ASSERT_EQUAL(oi_map_set(&m, 99, 2, OI_MAP_BAD), OPTIMG_ERANGE);
	CU_ASSERT_EQUAL(oi_map_set(&m, 50, 0, OI_MAP_BAD), OPTIMG_OK);
	expect_extents(&m, "0+100:g");
	oi_map_release(&m);
}

static void
test_map_next_todo(void)
{
	struct oi_rescue_map m;
	int32_t s = 0;
	uint32_t n = 0;

	CU_ASSERT_EQUAL(oi_map_init(&m, -150, 1000), OPTIMG_OK);
	CU_ASSERT(oi_map_next_todo(&m, -1000, &s, &n));
	CU_ASSERT_EQUAL(s, -150);
	CU_ASSERT_EQUAL(n, 1150);
	oi_map_set(&m, -150, 400, OI_MAP_GOOD);
	oi_map_set(&m, 250, 10, OI_MAP_BAD);
	oi_map_set(&m, 270, 730, OI_MAP_GOOD);
	/* Bad and untried next to each other are one stretch to do. */
	CU_ASSERT(oi_map_next_todo(&m, 0, &s, &n));
	CU_ASSERT_EQUAL(s, 250);
	CU_ASSERT_EQUAL(n, 20);
	CU_ASSERT(oi_map_next_todo(&m, 255, &s, &n));
	CU_ASSERT_EQUAL(s, 255);
	CU_ASSERT_EQUAL(n, 15);
	CU_ASSERT_FALSE(oi_map_next_todo(&m, 270, &s, &n));
	CU_ASSERT_FALSE(oi_map_next_todo(&m, 1000, &s, &n));
	oi_map_release(&m);
}

/* Random sets against a plain array of statuses. */
static void
test_map_random(void)
{
	enum { N = 500 };
	enum oi_map_status ref[N];
	struct oi_rescue_map m;
	unsigned seed = 12345;

	CU_ASSERT_EQUAL_FATAL(oi_map_init(&m, 0, N), OPTIMG_OK);
	for (unsigned i = 0; i < N; i++)
		ref[i] = OI_MAP_UNTRIED;
	for (unsigned round = 0; round < 3000; round++) {
		unsigned start, count;
		enum oi_map_status st;

		seed = seed * 1103515245 + 12345;
		start = (seed >> 8) % N;
		seed = seed * 1103515245 + 12345;
		count = 1 + (seed >> 8) % (round % 7 == 0 ? N - start : 20);
		count = count > N - start ? N - start : count;
		st = (enum oi_map_status)((seed >> 20) % 3);
		CU_ASSERT_EQUAL_FATAL(oi_map_set(&m, (int32_t)start, count, st),
		    OPTIMG_OK);
		for (unsigned k = start; k < start + count; k++)
			ref[k] = st;
		if (round % 100 == 0) {
			check_invariants(&m);
			for (unsigned k = 0; k < N; k++)
				CU_ASSERT_EQUAL(oi_map_status_at(&m,
				    (int32_t)k), ref[k]);
		}
	}
	oi_map_release(&m);
}

/* ---- rescue map: text -------------------------------------------------- */

static const char good_map[] =
    "# optimg rescue map\n"
    "optimg-map 1\n"
    "disc 1a2b3c4d-2t-302s\n"
    "output cue\n"
    "offset -6\n"
    "unit 2352\n"
    "range 0 302\n"
    "0 200 good 0123abcd\n"
    "200 10 bad\n"
    "210 92 untried\n";

static void
test_map_text_roundtrip(void)
{
	struct oi_rescue_map m, again;
	struct optimg_error err;
	char *text = NULL;
	size_t len = 0;

	CU_ASSERT_EQUAL_FATAL(oi_map_parse(good_map, strlen(good_map), &m,
	    &err), OPTIMG_OK);
	CU_ASSERT_STRING_EQUAL(m.disc, "1a2b3c4d-2t-302s");
	CU_ASSERT_STRING_EQUAL(m.output, "cue");
	CU_ASSERT_EQUAL(m.offset, -6);
	expect_extents(&m, "0+200:g 200+10:b 210+92:u");
	CU_ASSERT_EQUAL(oi_map_format(&m, &text, &len), OPTIMG_OK);
	CU_ASSERT_EQUAL_FATAL(oi_map_parse(text, len, &again, &err),
	    OPTIMG_OK);
	CU_ASSERT_EQUAL_FATAL(again.n, m.n);
	for (unsigned i = 0; i < m.n; i++) {
		CU_ASSERT_EQUAL(again.ext[i].start, m.ext[i].start);
		CU_ASSERT_EQUAL(again.ext[i].count, m.ext[i].count);
		CU_ASSERT_EQUAL(again.ext[i].status, m.ext[i].status);
		CU_ASSERT_EQUAL(again.ext[i].hashed, m.ext[i].hashed);
		CU_ASSERT_EQUAL(again.ext[i].crc, m.ext[i].crc);
	}
	CU_ASSERT(m.ext[0].hashed && m.ext[0].crc == 0x0123abcd);
	CU_ASSERT_EQUAL(again.unit, 2352);
	CU_ASSERT_STRING_EQUAL(again.disc, m.disc);
	CU_ASSERT(strstr(text, "\n0 200 good 0123abcd\n") != NULL);
	CU_ASSERT(strstr(text, "\n200 10 bad\n") != NULL);
	free(text);
	oi_map_release(&m);
	oi_map_release(&again);
}

static void
test_map_text_lenient(void)
{
	/* CRLF, blanks, indented comments; neighbours of one status merge. */
	static const char text[] =
	    "optimg-map 1\r\n"
	    "\r\n"
	    "  # comment\r\n"
	    "range -150 100\r\n"
	    "\t-150  100 good \r\n"
	    "-50 150 good\r\n";
	struct oi_rescue_map m;
	struct optimg_error err;

	CU_ASSERT_EQUAL_FATAL(oi_map_parse(text, strlen(text), &m, &err),
	    OPTIMG_OK);
	expect_extents(&m, "-150+250:g");
	oi_map_release(&m);
}

/* Merged extents combine their CRCs; a piece split off loses its CRC. */
static void
test_map_crc(void)
{
	static uint8_t data[30 * 4];
	struct oi_rescue_map m;

	for (unsigned i = 0; i < sizeof(data); i++)
		data[i] = (uint8_t)(i * 37 + 1);
	CU_ASSERT_EQUAL_FATAL(oi_map_init(&m, 0, 30), OPTIMG_OK);
	m.unit = 4;
	CU_ASSERT_EQUAL(oi_map_set_hashed(&m, 10, 10, OI_MAP_GOOD,
	    (uint32_t)crc32(0, data + 40, 40)), OPTIMG_OK);
	CU_ASSERT_EQUAL(oi_map_set_hashed(&m, 0, 10, OI_MAP_GOOD,
	    (uint32_t)crc32(0, data, 40)), OPTIMG_OK);
	CU_ASSERT_EQUAL(oi_map_set_hashed(&m, 20, 10, OI_MAP_GOOD,
	    (uint32_t)crc32(0, data + 80, 40)), OPTIMG_OK);
	expect_extents(&m, "0+30:g");
	CU_ASSERT(m.ext[0].hashed);
	CU_ASSERT_EQUAL(m.ext[0].crc, (uint32_t)crc32(0, data, sizeof(data)));
	/* Unhashed good next to hashed good: the merge has no CRC. */
	CU_ASSERT_EQUAL(oi_map_set(&m, 5, 1, OI_MAP_BAD), OPTIMG_OK);
	expect_extents(&m, "0+5:g 5+1:b 6+24:g");
	CU_ASSERT(!m.ext[0].hashed && !m.ext[2].hashed);
	oi_map_release(&m);
}

/* Every status reads back; kept, cooked and rebuilt are done, rawfail not. */
static void
test_map_statuses(void)
{
	static const char text[] =
	    "optimg-map 1\n"
	    "range 0 80\n"
	    "0 10 good\n10 10 kept\n20 10 cooked\n30 10 rawfail\n"
	    "40 10 rebuilt\n50 10 bad\n60 10 untried\n70 10 gap\n";
	struct oi_rescue_map m;
	struct optimg_error err;
	int32_t start;
	uint32_t count;

	CU_ASSERT_EQUAL_FATAL(oi_map_parse(text, strlen(text), &m, &err),
	    OPTIMG_OK);
	expect_extents(&m, "0+10:g 10+10:k 20+10:c 30+10:r 40+10:r 50+10:b "
	    "60+10:u 70+10:g");
	CU_ASSERT_EQUAL(m.ext[3].status, OI_MAP_RAWFAIL);
	CU_ASSERT_EQUAL(m.ext[4].status, OI_MAP_REBUILT);
	/* A gap between sessions is done: nothing to read there. */
	CU_ASSERT_EQUAL(m.ext[7].status, OI_MAP_GAP);
	CU_ASSERT(oi_map_done(OI_MAP_GAP));
	CU_ASSERT(oi_map_next_todo(&m, 0, &start, &count));
	CU_ASSERT_EQUAL(start, 30);
	CU_ASSERT_EQUAL(count, 10);
	CU_ASSERT(oi_map_next_todo(&m, 40, &start, &count));
	CU_ASSERT_EQUAL(start, 50);
	CU_ASSERT_EQUAL(count, 20);
	CU_ASSERT(!oi_map_next_todo(&m, 70, &start, &count));
	oi_map_release(&m);
}

/* A drive's full TOC: each track's session and each session's lead-out;
 * descriptors of another ADR, bad sessions and a cut tail ignored. */
static void
test_full_toc(void)
{
	static const uint8_t toc[] = {
		0, 79, 1, 2,
		1, 0x10, 0, 0xa0, 0, 0, 0, 0, 1, 0, 0,
		1, 0x10, 0, 0xa2, 0, 0, 0, 0, 0, 6, 2,
		1, 0x14, 0, 1, 0, 0, 0, 0, 0, 2, 0,
		2, 0x14, 0, 2, 0, 0, 0, 0, 2, 34, 29,
		2, 0x10, 0, 0xa2, 0, 0, 0, 0, 2, 40, 29,
		2, 0x54, 0, 3, 0, 0, 0, 0, 3, 0, 0,	/* ADR 5 */
		0, 0x14, 0, 4, 0, 0, 0, 0, 3, 0, 0,	/* session 0 */
		3, 0x10, 0, 0xa2, 0, 0, 0, 0, 9, 60, 0,	/* bad MSF */
		3, 0x14, 0, 5,				/* cut short */
	};
	struct oi_toc_sessions ts;

	CU_ASSERT_FATAL(oi_parse_full_toc(toc, sizeof(toc), &ts));
	CU_ASSERT_EQUAL(ts.last, 2);
	CU_ASSERT_EQUAL(ts.session[1], 1);
	CU_ASSERT_EQUAL(ts.session[2], 2);
	CU_ASSERT_EQUAL(ts.session[3], 0);
	CU_ASSERT_EQUAL(ts.session[4], 0);
	CU_ASSERT_EQUAL(ts.session[5], 0);
	CU_ASSERT_EQUAL(ts.leadout[1], 6 * 75 + 2 - 150);
	CU_ASSERT_EQUAL(ts.leadout[2], (2 * 60 + 40) * 75 + 29 - 150);
	CU_ASSERT_EQUAL(ts.leadout[3], 0);
	CU_ASSERT(!oi_parse_full_toc(toc, 4 + 11 - 1, &ts));
	CU_ASSERT(!oi_parse_full_toc(toc, 0, &ts));
}

static void
expect_bad_map(const char *text, size_t len, const char *what)
{
	struct oi_rescue_map m;
	struct optimg_error err;
	int rc = oi_map_parse(text, len, &m, &err);

	CU_ASSERT_EQUAL(rc, OPTIMG_EFORMAT);
	if (rc == OPTIMG_EFORMAT && strstr(err.message, what) == NULL) {
		fprintf(stderr, "\n  '%s': message '%s' lacks '%s'\n", text,
		    err.message, what);
		CU_FAIL("message");
	}
	CU_ASSERT_PTR_NULL(m.ext);
}

static void
test_map_hostile(void)
{
	static const struct {
		const char	*text;
		const char	*what;
	} cases[] = {
		{ "", "not an optimg rescue map" },
		{ "0 10 good\n", "line 1: not an optimg rescue map" },
		{ "optimg-map 2\nrange 0 1\n0 1 good\n", "version" },
		{ "optimg-map 1\n0 10 good\n", "before the 'range'" },
		{ "optimg-map 1\nrange 0 10\n0 5 good\n", "not at the end" },
		{ "optimg-map 1\nrange 0 10\n0 5 good\n6 4 good\n",
		    "line 4: extent does not start" },
		{ "optimg-map 1\nrange 0 10\n0 6 good\n5 5 bad\n",
		    "does not start" },
		{ "optimg-map 1\nrange 0 10\n0 11 good\n", "past the end" },
		{ "optimg-map 1\nrange 0 10\n0 10 fine\n", "status" },
		{ "optimg-map 1\nrange 0 10\n0 10 gap 00000000\n",
		    "after a done status" },
		{ "optimg-map 1\nrange 0 10\n0 0 good\n0 10 good\n",
		    "FIRST COUNT STATUS" },
		{ "optimg-map 1\nrange 0 10\n0 -10 good\n",
		    "FIRST COUNT STATUS" },
		{ "optimg-map 1\nrange 0 10\n0 99999999999999999999 good\n",
		    "FIRST COUNT STATUS" },
		{ "optimg-map 1\nrange 0 10\n0 1x good\n", "FIRST COUNT" },
		{ "optimg-map 1\nrange 0 10\n0 10 good extra\n", "FIRST COUNT" },
		{ "optimg-map 1\nrange 0 10\n0 10 good a b c d e\n",
		    "too many words" },
		{ "optimg-map 1\nrange 10 0\n", "range" },
		{ "optimg-map 1\nrange 0 10\nrange 0 10\n", "range" },
		{ "optimg-map 1\nrange 0 4294967296\n", "range" },
		{ "optimg-map 1\nfrobnicate 3\n", "unknown keyword" },
		{ "optimg-map 1\ndisc " "0123456789012345678901234567890123456789"
		    "0123456789012345678901234567890123456789\n", "short word" },
		{ "optimg-map 1\noffset 1e3\n", "offset" },
	};

	for (unsigned i = 0; i < OI_ARRAY_SIZE(cases); i++)
		expect_bad_map(cases[i].text, strlen(cases[i].text),
		    cases[i].what);
	/* A NUL inside a line. */
	expect_bad_map("optimg-map 1\nrange 0 1\n0 1\0 good\n", 27, "NUL");
}

/* Random bytes and mutations of a good map never crash the parser. */
static void
test_map_fuzz(void)
{
	char buf[sizeof(good_map)];
	unsigned seed = 99;

	for (unsigned round = 0; round < 20000; round++) {
		struct oi_rescue_map m;
		struct optimg_error err;
		size_t len = sizeof(good_map) - 1;

		memcpy(buf, good_map, len);
		for (unsigned k = 0; k < 1 + round % 4; k++) {
			seed = seed * 1103515245 + 12345;
			buf[(seed >> 8) % len] = (char)(seed >> 16);
		}
		seed = seed * 1103515245 + 12345;
		if (round % 3 == 0)
			len = (seed >> 8) % len;
		if (oi_map_parse(buf, len, &m, &err) == OPTIMG_OK) {
			check_invariants(&m);
			oi_map_release(&m);
		}
	}
}

static void
test_map_save_load(void)
{
	struct oi_rescue_map m, back;
	struct optimg_error err;
	char path[300];
	struct dirent *de;
	unsigned files = 0;
	DIR *d;

	setup();
	snprintf(path, sizeof(path), "%s/disc.map", tmpdir);
	CU_ASSERT_EQUAL(oi_map_load(path, &back, &err), OPTIMG_ENOENT);
	oi_map_init(&m, 0, 1000);
	snprintf(m.disc, sizeof(m.disc), "abc");
	oi_map_set(&m, 100, 50, OI_MAP_BAD);
	oi_map_set(&m, 0, 100, OI_MAP_GOOD);
	for (unsigned i = 0; i < 3; i++)
		CU_ASSERT_EQUAL(oi_map_save(&m, path, &err), OPTIMG_OK);
	CU_ASSERT_EQUAL_FATAL(oi_map_load(path, &back, &err), OPTIMG_OK);
	expect_extents(&back, "0+100:g 100+50:b 150+850:u");
	CU_ASSERT_STRING_EQUAL(back.disc, "abc");
	oi_map_release(&back);
	/* Saved through a temporary file that does not stay behind. */
	d = opendir(tmpdir);
	while ((de = readdir(d)) != NULL)
		files += de->d_name[0] != '.';
	closedir(d);
	CU_ASSERT_EQUAL(files, 1);
	/* A damaged map names itself and the line. */
	FILE *f = fopen(path, "w");
	fputs("optimg-map 1\nrange 0 10\n0 10 maybe\n", f);
	fclose(f);
	CU_ASSERT_EQUAL(oi_map_load(path, &back, &err), OPTIMG_EFORMAT);
	CU_ASSERT(strstr(err.message, "disc.map' line 3:") != NULL);
	oi_map_release(&m);
	teardown();
}

/* ---- hashes -------------------------------------------------------------- */

static void
expect_hex(const struct optimg_hashes *h, const char *crc, const char *md5,
    const char *sha1)
{
	char c[9], m[33], s[41];

	optimg_hashes_hex(h, c, m, s);
	CU_ASSERT_STRING_EQUAL(c, crc);
	CU_ASSERT_STRING_EQUAL(m, md5);
	CU_ASSERT_STRING_EQUAL(s, sha1);
}

static void
test_hash_vectors(void)
{
	struct optimg_hashes h;
	struct oi_hash st;
	struct optimg_error err;

	/* The check values of CRC-32 (ISO-HDLC), RFC 1321 and FIPS 180. */
	CU_ASSERT_EQUAL_FATAL(oi_hash_init(&st, &err), OPTIMG_OK);
	oi_hash_update(&st, "123456789", 9);
	oi_hash_final(&st, &h);
	CU_ASSERT_EQUAL(h.size, 9);
	CU_ASSERT_EQUAL(h.crc32, 0xcbf43926);
	expect_hex(&h, "cbf43926", "25f9e794323b453885f5181f1b624d0b",
	    "f7c3bc1d808e04732adf679965ccc34ca7ae3441");
	CU_ASSERT_EQUAL_FATAL(oi_hash_init(&st, &err), OPTIMG_OK);
	oi_hash_final(&st, &h);
	expect_hex(&h, "00000000", "d41d8cd98f00b204e9800998ecf8427e",
	    "da39a3ee5e6b4b0d3255bfef95601890afd80709");
	/* In pieces, as a rip or verify feeds it. */
	CU_ASSERT_EQUAL_FATAL(oi_hash_init(&st, &err), OPTIMG_OK);
	oi_hash_update(&st, "abc", 3);
	oi_hash_update(&st, "", 0);
	oi_hash_update(&st, "dbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
	    53);
	oi_hash_final(&st, &h);
	CU_ASSERT_EQUAL(h.size, 56);
	expect_hex(&h, "171a3f5f", "8215ef0796a20bcaaae116d3876c664a",
	    "84983e441c3bd26ebaae4aa1f95129e5e54670f1");
	/* Released without results: no leak, no crash. */
	CU_ASSERT_EQUAL_FATAL(oi_hash_init(&st, &err), OPTIMG_OK);
	oi_hash_release(&st);
	oi_hash_release(&st);
}

static void
test_hash_file(void)
{
	struct optimg_hashes h;
	struct optimg_error err;
	char path[300];
	FILE *f;

	setup();
	snprintf(path, sizeof(path), "%s/f", tmpdir);
	f = fopen(path, "w");
	CU_ASSERT_FATAL(f != NULL);
	for (unsigned i = 0; i < 1000000; i++)
		putc('a', f);
	fclose(f);
	CU_ASSERT_EQUAL_FATAL(oi_hash_file(path, &h, NULL, NULL, &err), OPTIMG_OK);
	CU_ASSERT_EQUAL(h.size, 1000000);
	/* FIPS 180-2 appendix B.3 and RFC 1321's million 'a's. */
	expect_hex(&h, "dc25bfbc", "7707d6ae4e027c70eea2a935c2296f21",
	    "34aa973cd4c4daa4f61eeb2bdbad27316534016f");
	snprintf(path, sizeof(path), "%s/missing", tmpdir);
	CU_ASSERT_EQUAL(oi_hash_file(path, &h, NULL, NULL, &err), OPTIMG_EIO);
	CU_ASSERT(strstr(err.message, "missing") != NULL);
	teardown();
}

/* ---- fault plan ------------------------------------------------------------ */

static void
test_fault_plan(void)
{
	struct oi_fault_plan p;
	struct optimg_error err;
	static const char *const bad[] = {
		"x", "5", "5:", ":fail", "5-3:fail", "5:flaky", "5:flakyx",
		"5:boom", "99999999999:fail", "5:fail,", ",5:fail",
		"1-100000:flaky1", "5:fail;6:fail",
	};

	CU_ASSERT_EQUAL(oi_fault_parse("", &p, &err), OPTIMG_OK);
	CU_ASSERT_EQUAL(p.n, 0);
	CU_ASSERT_EQUAL(oi_fault_check(&p, 0, 100), OI_FAULT_NONE);
	oi_fault_release(&p);
	for (unsigned i = 0; i < OI_ARRAY_SIZE(bad); i++) {
		int rc = oi_fault_parse(bad[i], &p, &err);
		if (rc != OPTIMG_EINVAL)
			fprintf(stderr, "\n  '%s' accepted\n", bad[i]);
		CU_ASSERT_EQUAL(rc, OPTIMG_EINVAL);
	}
	CU_ASSERT_EQUAL_FATAL(oi_fault_parse("10-19:fail,30-31:flaky2,-5:hang",
	    &p, &err), OPTIMG_OK);
	CU_ASSERT_EQUAL(p.n, 3);
	CU_ASSERT_EQUAL(oi_fault_check(&p, 0, 10), OI_FAULT_NONE);
	CU_ASSERT_EQUAL(oi_fault_check(&p, 5, 10), OI_FAULT_FAIL);
	CU_ASSERT_EQUAL(oi_fault_check(&p, 19, 1), OI_FAULT_FAIL);
	CU_ASSERT_EQUAL(oi_fault_check(&p, 20, 10), OI_FAULT_NONE);
	CU_ASSERT_EQUAL(oi_fault_check(&p, -10, 10), OI_FAULT_HANG);
	/* Each flaky sector fails twice, then reads. */
	CU_ASSERT_EQUAL(oi_fault_check(&p, 25, 6), OI_FAULT_FLAKY); /* 30 */
	CU_ASSERT_EQUAL(oi_fault_check(&p, 30, 2), OI_FAULT_FLAKY); /* 30 31 */
	CU_ASSERT_EQUAL(oi_fault_check(&p, 30, 1), OI_FAULT_NONE);
	CU_ASSERT_EQUAL(oi_fault_check(&p, 31, 1), OI_FAULT_FLAKY);
	CU_ASSERT_EQUAL(oi_fault_check(&p, 30, 2), OI_FAULT_NONE);
	oi_fault_release(&p);
}

/* ---- DAT files ------------------------------------------------------------- */

static const char redump_dat[] =
    "<?xml version=\"1.0\"?>\n"
    "<!DOCTYPE datafile PUBLIC \"-//Logiqx//DTD ROM Management Datafile"
    "//EN\" \"http://www.logiqx.com/Dats/datafile.dtd\">\n"
    "<datafile>\n"
    "\t<header>\n"
    "\t\t<name>Sony - PlayStation</name>\n"
    "\t\t<description>Sony - PlayStation - Discs (1) (2024)</description>"
    "\n\t</header>\n"
    "\t<!-- a comment with <game name=\"fake\"> inside -->\n"
    "\t<game name=\"Tom &amp; Jerry (Europe) (&#x41;&#66;)\">\n"
    "\t\t<category>Games</category>\n"
    "\t\t<description>Tom &amp; Jerry</description>\n"
    "\t\t<rom name=\"Tom &amp; Jerry (Europe) (Track 1).bin\" "
    "size=\"710304\" crc=\"D064CBD4\" md5=\"23b37aec2ccfbd8ac5a3917f37ae21ab\""
    " sha1=\"70b651d67810fdeb96e015f829aa20469c3309a5\"/>\n"
    "\t\t<rom name='Tom &amp; Jerry (Europe).cue' size='90' crc=\"\" />\n"
    "\t</game>\n"
    "\t<game name=\"Empty\"/>\n"
    "\t<machine name=\"Other\"><rom name=\"x.bin\" size=\"1\"/></machine>\n"
    "</datafile>\n";

static void
test_dat_redump(void)
{
	struct oi_dat *dat;
	struct optimg_error err;
	const struct oi_dat_rom *r;

	CU_ASSERT_EQUAL_FATAL(oi_dat_parse(redump_dat, strlen(redump_dat),
	    &dat, NULL, NULL, &err), OPTIMG_OK);
	CU_ASSERT_EQUAL_FATAL(dat->ngames, 2);
	CU_ASSERT_STRING_EQUAL(dat->games[0].name,
	    "Tom & Jerry (Europe) (AB)");
	CU_ASSERT_EQUAL_FATAL(dat->games[0].nroms, 2);
	r = &dat->games[0].roms[0];
	CU_ASSERT_STRING_EQUAL(r->name, "Tom & Jerry (Europe) (Track 1).bin");
	CU_ASSERT(r->has_size && r->has_crc && r->has_md5 && r->has_sha1);
	CU_ASSERT_EQUAL(r->size, 710304);
	CU_ASSERT_EQUAL(r->crc, 0xd064cbd4);
	CU_ASSERT_EQUAL(r->md5[0], 0x23);
	CU_ASSERT_EQUAL(r->sha1[19], 0xa5);
	r = &dat->games[0].roms[1];
	CU_ASSERT_STRING_EQUAL(r->name, "Tom & Jerry (Europe).cue");
	CU_ASSERT(r->has_size && !r->has_crc && !r->has_sha1);
	CU_ASSERT_STRING_EQUAL(dat->games[1].name, "Other");
	oi_dat_free(dat);
}

static void
test_dat_bare_roms(void)
{
	static const char text[] =
	    "<rom name=\"a (Track 1).bin\" size=\"4\" crc=\"00000001\" />\n"
	    "<rom name=\"a (Track 2).bin\" size=\"4\" crc=\"00000002\" />\n";
	struct oi_dat *dat;
	struct optimg_error err;

	CU_ASSERT_EQUAL_FATAL(oi_dat_parse(text, strlen(text), &dat, NULL, NULL, &err),
	    OPTIMG_OK);
	CU_ASSERT_EQUAL_FATAL(dat->ngames, 1);
	CU_ASSERT_STRING_EQUAL(dat->games[0].name, "");
	CU_ASSERT_EQUAL(dat->games[0].nroms, 2);
	CU_ASSERT_EQUAL(dat->games[0].roms[1].crc, 2);
	oi_dat_free(dat);
}

static void
test_dat_hostile(void)
{
	static const struct {
		const char	*text;
		const char	*what;
	} cases[] = {
		{ "", "not a DAT" },
		{ "just text", "not a DAT" },
		{ "<datafile></datafile>", "not a DAT" },
		{ "<!-- never closed <game name=\"a\">", "unclosed token" },
		{ "<game name=\"a\">", "mismatched tag" },
		{ "<game name=\"a\"><game name=\"b\"></game></game>",
		    "a game inside a game" },
		{ "</game>", "mismatched tag" },
		{ "<game name=\"a", "not well-formed" },
		{ "<game name=a></game>", "not well-formed" },
		{ "<game name=\"a<b\"></game>", "not well-formed" },
		{ "<game name=\"&foo;\"></game>", "entity" },
		{ "<game name=\"&#0;\"></game>", "invalid character" },
		{ "<game name=\"&#x110000;\"></game>", "invalid character" },
		{ "<game name=\"&#xD800;\"></game>", "invalid character" },
		{ "<game name=\"&amp\"></game>", "not well-formed" },
		/* A DAT that declares an entity is refused. */
		{ "<!DOCTYPE d [<!ENTITY x \"boom\">]><game name=\"&x;\">"
		    "</game>", "entity" },
		{ "<?xml version=\"1.0\"?><!DOCTYPE d [<!ENTITY a \"aa\">"
		    "<!ENTITY b \"&a;&a;&a;&a;&a;&a;&a;&a;\">]>"
		    "<d><game name=\"&b;\"><rom name=\"x\"/></game></d>",
		    "entity" },
		{ "<!DOCTYPE d [<!ENTITY x SYSTEM \"/etc/passwd\">]>"
		    "<d><game name=\"g\"><rom name=\"&x;\"/></game></d>",
		    "entity" },
		{ "<!DOCTYPE d [<!ENTITY % p SYSTEM \"http://x/\"> %p;]>"
		    "<d/>", "entity" },
		{ "<!DOCTYPE d [ never closed", "syntax error" },
		{ "<?xml version=\"1.0\"", "unclosed token" },
		{ "<![CDATA[ <game>", "CDATA" },
		{ "<game><rom name=\"x\" size=\"-1\"/></game>", "size" },
		{ "<game><rom name=\"x\" size=\"99999999999999999999\"/></game>",
		    "size" },
		{ "<game><rom name=\"x\" crc=\"1234567\"/></game>", "crc" },
		{ "<game><rom name=\"x\" md5=\"zz\"/></game>", "md5" },
		{ "<game><rom name=\"x\" sha1=\"0123\"/></game>", "sha1" },
		{ "<game>\n\n<rom name\"x\"/></game>", "line 3: not well-formed" },
		{ "< game>", "not well-formed" },
		{ "<game name=\"a\"></game\n", "line 2: not well-formed" },
	};
	struct oi_dat *dat;
	struct optimg_error err;

	for (unsigned i = 0; i < OI_ARRAY_SIZE(cases); i++) {
		int rc = oi_dat_parse(cases[i].text, strlen(cases[i].text),
		    &dat, NULL, NULL, &err);
		CU_ASSERT_EQUAL(rc, OPTIMG_EFORMAT);
		CU_ASSERT_PTR_NULL(dat);
		if (rc == OPTIMG_EFORMAT &&
		    strstr(err.message, cases[i].what) == NULL) {
			fprintf(stderr, "\n  '%s': message '%s' lacks '%s'\n",
			    cases[i].text, err.message, cases[i].what);
			CU_FAIL("message");
		}
		if (rc == OPTIMG_OK)
			oi_dat_free(dat);
	}
}

/* A very long value is refused, not copied without bound. */
static void
test_dat_long_value(void)
{
	size_t n = 1 << 20;
	char *text = malloc(n + 64);
	struct oi_dat *dat;
	struct optimg_error err;

	CU_ASSERT_FATAL(text != NULL);
	memcpy(text, "<game name=\"", 12);
	memset(text + 12, 'a', n);
	memcpy(text + 12 + n, "\"></game>", 10);
	CU_ASSERT_EQUAL(oi_dat_parse(text, strlen(text), &dat, NULL, NULL, &err),
	    OPTIMG_EFORMAT);
	CU_ASSERT(strstr(err.message, "too long") != NULL);
	free(text);
}

static void
test_dat_fuzz(void)
{
	char *buf = malloc(sizeof(redump_dat));
	unsigned seed = 7;

	CU_ASSERT_FATAL(buf != NULL);
	for (unsigned round = 0; round < 20000; round++) {
		struct oi_dat *dat;
		struct optimg_error err;
		size_t len = sizeof(redump_dat) - 1;

		memcpy(buf, redump_dat, len);
		for (unsigned k = 0; k < 1 + round % 5; k++) {
			seed = seed * 1103515245 + 12345;
			buf[(seed >> 8) % len] = (char)(seed >> 16);
		}
		seed = seed * 1103515245 + 12345;
		if (round % 4 == 0)
			len = (seed >> 8) % len;
		if (oi_dat_parse(buf, len, &dat, NULL, NULL, &err) == OPTIMG_OK)
			oi_dat_free(dat);
	}
	free(buf);
}

/* ---- the drive adapter on libcdio's image drivers ----------------------- */

static char *
testdata(const char *name)
{
	return (char *)test_data_path(name);
}

static void
collect_warning(void *ctx, const char *message)
{
	unsigned *n = ctx;

	(void)message;
	(*n)++;
}

static void
same_cdtext(const struct optimg_cdtext *a, const struct optimg_cdtext *b)
{
	for (unsigned i = 0; i < OPTIMG_CDTEXT_NFIELDS; i++) {
		CU_ASSERT_EQUAL(a->field[i] == NULL, b->field[i] == NULL);
		if (a->field[i] != NULL && b->field[i] != NULL)
			CU_ASSERT_STRING_EQUAL(a->field[i], b->field[i]);
	}
}

/*
 * A cue opened by our reader and by libcdio's bincue driver as a drive:
 * the same disc model and the same bytes at every sector size, so the
 * rest of optimg cannot tell them apart.
 */
static void
compare_drive_and_image(const char *name)
{
	char *path = testdata(name);
	struct optimg_drive *drv;
	struct optimg_image *img, *dimg;
	const struct optimg_disc *a, *b;
	struct optimg_error err;
	static const unsigned sizes[] = { 2048, 2336, 2352, 2448 };
	uint8_t *x = malloc(27 * 2448), *y = malloc(27 * 2448);
	unsigned warnings = 0;

	if (path == NULL)
		goto out;
	CU_ASSERT_EQUAL_FATAL(optimg_drive_open(path, collect_warning,
	    &warnings, &drv, &err), OPTIMG_OK);
	CU_ASSERT_STRING_EQUAL(optimg_drive_info(drv)->driver, "bincue");
	CU_ASSERT(optimg_drive_info(drv)->image);
	CU_ASSERT_FALSE(optimg_drive_info(drv)->mmc);
	img = optimg_image_new();
	CU_ASSERT_EQUAL_FATAL(optimg_image_open(img, path), OPTIMG_OK);
	dimg = optimg_drive_image(drv);
	CU_ASSERT_STRING_EQUAL(optimg_image_format(dimg), "drive");
	a = optimg_image_disc(img);
	b = optimg_image_disc(dimg);
	CU_ASSERT_EQUAL_FATAL(a->ntracks, b->ntracks);
	CU_ASSERT_STRING_EQUAL(a->catalog, b->catalog);
	same_cdtext(&a->cdtext, &b->cdtext);
	CU_ASSERT_EQUAL(a->sessions[0].leadout, b->sessions[0].leadout);
	for (unsigned i = 0; i < a->ntracks; i++) {
		const struct optimg_track *s = &a->tracks[i], *t = &b->tracks[i];
		CU_ASSERT_EQUAL(s->number, t->number);
		CU_ASSERT_EQUAL(s->mode, t->mode);
		CU_ASSERT_EQUAL(s->start, t->start);
		CU_ASSERT_EQUAL(s->length, t->length);
		CU_ASSERT_EQUAL(s->pregap, t->pregap);
		CU_ASSERT_EQUAL(s->flags, t->flags);
		CU_ASSERT_STRING_EQUAL(s->isrc, t->isrc);
		same_cdtext(&s->cdtext, &t->cdtext);
	}
	for (unsigned k = 0; k < OI_ARRAY_SIZE(sizes); k++) {
		int32_t end = a->sessions[0].leadout;
		for (int32_t lba = 0; lba < end; lba += 27) {
			uint32_t n = (uint32_t)OI_MIN(27, end - lba);
			int ra = optimg_image_read(img, lba, n, sizes[k], x);
			int rb = optimg_image_read(dimg, lba, n, sizes[k], y);
			CU_ASSERT_EQUAL(ra, rb);
			if (ra == OPTIMG_OK && rb == OPTIMG_OK &&
			    memcmp(x, y, (size_t)n * sizes[k]) != 0) {
				fprintf(stderr, "\n  %s: sectors %ld+%u differ "
				    "at size %u\n", name, (long)lba, n, sizes[k]);
				CU_FAIL("sector data");
				break;
			}
		}
	}
	/* Past the lead-out: an error, not a read of something else. */
	CU_ASSERT_EQUAL(optimg_image_read(dimg, a->sessions[0].leadout, 1, 2352,
	    y), OPTIMG_ERANGE);
	CU_ASSERT_EQUAL(warnings, 0);
	optimg_image_free(img);
	optimg_drive_free(drv);
out:
	free(x);
	free(y);
}

static void
test_drive_isofs(void)
{
	compare_drive_and_image("isofs-m1.cue");
}

static void
test_drive_cdda(void)
{
	compare_drive_and_image("cdda.cue");
}

static void
test_drive_errors(void)
{
	struct optimg_drive *drv;
	struct optimg_error err;
	char *path;

	CU_ASSERT_EQUAL(optimg_drive_open("/nonexistent/x.cue", NULL, NULL,
	    &drv, &err), OPTIMG_ENOENT);
	CU_ASSERT_PTR_NULL(drv);
	CU_ASSERT(strstr(err.message, "/nonexistent/x.cue") != NULL);
	CU_ASSERT_EQUAL(optimg_drive_open("/", NULL, NULL, &drv, &err),
	    OPTIMG_EINVAL);
	if ((path = testdata("isofs-m1.cue")) != NULL) {
		CU_ASSERT_EQUAL_FATAL(optimg_drive_open(path, NULL, NULL, &drv,
		    &err), OPTIMG_OK);
		/* An image has no speed. */
		CU_ASSERT_EQUAL(optimg_drive_set_speed(drv, 4, &err),
		    OPTIMG_EUNSUPP);
		optimg_drive_free(drv);
	}
	optimg_drive_free(NULL);
}

static unsigned caller_logs;

static void
caller_log(cdio_log_level_t level, const char message[])
{
	(void)level;
	(void)message;
	caller_logs++;
}

/* libcdio's handler is process-wide: ours is put back to the caller's. */
static void
test_drive_log_handler(void)
{
	struct optimg_drive *drv;
	struct optimg_error err;
	cdio_log_handler_t old = cdio_log_set_handler(caller_log);
	char *path = testdata("isofs-m1.cue");

	if (path == NULL) {
		cdio_log_set_handler(old);
		return;
	}
	CU_ASSERT_EQUAL_FATAL(optimg_drive_open(path, NULL, NULL, &drv, &err),
	    OPTIMG_OK);
	CU_ASSERT_PTR_EQUAL(cdio_log_set_handler(caller_log), caller_log);
	optimg_drive_free(drv);
	CU_ASSERT_PTR_EQUAL(cdio_log_set_handler(old), caller_log);
}

static CU_TestInfo map_tests[] = {
	{ "set and merge", test_map_set },
	{ "next extent to read", test_map_next_todo },
	{ "random sets against an array", test_map_random },
	{ "text round trip", test_map_text_roundtrip },
	{ "CRLF, blanks, comments", test_map_text_lenient },
	{ "every status", test_map_statuses },
	{ "sessions from a full TOC", test_full_toc },
	{ "CRC32 of extents", test_map_crc },
	{ "hostile maps", test_map_hostile },
	{ "mutated maps", test_map_fuzz },
	{ "save and load", test_map_save_load },
	CU_TEST_INFO_NULL
};

static CU_TestInfo hash_tests[] = {
	{ "check values", test_hash_vectors },
	{ "a file", test_hash_file },
	CU_TEST_INFO_NULL
};

static CU_TestInfo fault_tests[] = {
	{ "plan and checks", test_fault_plan },
	CU_TEST_INFO_NULL
};

static CU_TestInfo dat_tests[] = {
	{ "a Redump DAT", test_dat_redump },
	{ "roms outside games (.hash)", test_dat_bare_roms },
	{ "hostile DATs", test_dat_hostile },
	{ "a megabyte value", test_dat_long_value },
	{ "mutated DATs", test_dat_fuzz },
	CU_TEST_INFO_NULL
};

static CU_TestInfo drive_tests[] = {
	{ "isofs-m1.cue as a drive and as an image", test_drive_isofs },
	{ "cdda.cue as a drive and as an image", test_drive_cdda },
	{ "errors", test_drive_errors },
	{ "the caller's libcdio log handler kept", test_drive_log_handler },
	CU_TEST_INFO_NULL
};

static CU_SuiteInfo suites[] = {
	{ .pName = "rescue map", .pTests = map_tests },
	{ .pName = "hashes", .pTests = hash_tests },
	{ .pName = "fault plan", .pTests = fault_tests },
	{ .pName = "dat", .pTests = dat_tests },
	{ .pName = "drive", .pTests = drive_tests },
	CU_SUITE_INFO_NULL
};

OI_CUNIT_MAIN(suites)
