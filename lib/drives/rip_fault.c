/*
 * rip_fault.c - faults injected between a drive and the rip, so tests can
 * give a rip bad extents, sectors that read on a retry and a read that
 * hangs, without a damaged disc.  Set only through
 * optimg_rip_opts.fault_plan (the CLI's --inject-faults, for testing).
 *
 *	plan  = item *("," item)
 *	item  = range ":" kind
 *	range = LBA | LBA "-" LBA		(inclusive)
 *	kind  = "fail" | "flaky" N | "hang" | "rawbad" | "noraw"
 *
 * rawbad and noraw touch raw reads only and stand in for drives whose raw
 * path is broken while cooked reads work (../shared/docs/drive-testing.md).
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "rip.h"

#define MAX_FAULTS	1024
#define MAX_FLAKY	65536	/* sectors in one flaky range */

static bool
parse_lba(const char **p, int32_t *out)
{
	const char *s = *p;
	int64_t v = 0;
	bool neg = *s == '-';

	s += neg;
	if (*s < '0' || *s > '9')
		return false;
	while (*s >= '0' && *s <= '9') {
		v = v * 10 + (*s++ - '0');
		if (v > INT32_MAX)
			return false;
	}
	*out = (int32_t)(neg ? -v : v);
	*p = s;
	return true;
}

static bool
parse_kind(const char *s, size_t n, struct oi_fault *f)
{
	if (n == 4 && memcmp(s, "fail", 4) == 0)
		f->kind = OI_FAULT_FAIL;
	else if (n == 4 && memcmp(s, "hang", 4) == 0)
		f->kind = OI_FAULT_HANG;
	else if (n == 6 && memcmp(s, "rawbad", 6) == 0)
		f->kind = OI_FAULT_RAWBAD;
	else if (n == 5 && memcmp(s, "noraw", 5) == 0)
		f->kind = OI_FAULT_NORAW;
	else if (n > 5 && n <= 9 && memcmp(s, "flaky", 5) == 0) {
		f->kind = OI_FAULT_FLAKY;
		f->times = 0;
		for (size_t i = 5; i < n; i++) {
			if (s[i] < '0' || s[i] > '9')
				return false;
			f->times = f->times * 10 + (unsigned)(s[i] - '0');
		}
	} else
		return false;
	return true;
}

static int
parse_item(const char *s, size_t n, struct oi_fault *f,
    struct optimg_error *err)
{
	char buf[64];
	const char *p = buf, *colon;

	if (n >= sizeof(buf))
		goto bad;
	memcpy(buf, s, n);
	buf[n] = '\0';
	if (!parse_lba(&p, &f->first))
		goto bad;
	f->last = f->first;
	if (*p == '-' && (++p, !parse_lba(&p, &f->last)))
		goto bad;
	colon = p;
	if (*colon != ':' || f->last < f->first ||
	    !parse_kind(colon + 1, strlen(colon + 1), f))
		goto bad;
	if (f->kind == OI_FAULT_FLAKY) {
		/* Each sector of the range fails that many reads. */
		uint32_t count = (uint32_t)((int64_t)f->last - f->first + 1);
		if (count > MAX_FLAKY)
			return oi_set_error(err, OPTIMG_EINVAL, "a flaky "
			    "range holds at most %u sectors", MAX_FLAKY);
		f->left = calloc(count, sizeof(*f->left));
		if (f->left == NULL)
			return oi_set_error(err, OPTIMG_ENOMEM, "out of memory");
		for (uint32_t i = 0; i < count; i++)
			f->left[i] = f->times;
	}
	return OPTIMG_OK;
bad:
	return oi_set_error(err, OPTIMG_EINVAL, "fault '%.*s' is not "
	    "LBA[-LBA]:fail|flakyN|hang|rawbad|noraw", (int)OI_MIN(n, 64), s);
}

int
oi_fault_parse(const char *text, struct oi_fault_plan *plan,
    struct optimg_error *err)
{
	const char *s = text;

	memset(plan, 0, sizeof(*plan));
	while (*s != '\0') {
		size_t n = strcspn(s, ",");
		struct oi_fault *p;
		int rc;

		if (plan->n == MAX_FAULTS) {
			oi_fault_release(plan);
			return oi_set_error(err, OPTIMG_EINVAL,
			    "more than %u faults", MAX_FAULTS);
		}
		p = oi_reallocarray(plan->f, plan->n + 1, sizeof(*p));
		if (p == NULL) {
			oi_fault_release(plan);
			return oi_set_error(err, OPTIMG_ENOMEM, "out of memory");
		}
		plan->f = p;
		memset(&p[plan->n], 0, sizeof(*p));
		rc = parse_item(s, n, &p[plan->n], err);
		plan->n++;
		if (rc < 0) {
			oi_fault_release(plan);
			return rc;
		}
		s += n;
		if (*s == ',' && *++s == '\0') {
			oi_fault_release(plan);
			return oi_set_error(err, OPTIMG_EINVAL,
			    "fault plan '%s' ends with a comma", text);
		}
	}
	return OPTIMG_OK;
}

void
oi_fault_release(struct oi_fault_plan *plan)
{
	for (unsigned i = 0; i < plan->n; i++)
		free(plan->f[i].left);
	free(plan->f);
	plan->f = NULL;
	plan->n = 0;
}

enum oi_fault_kind
oi_fault_check(struct oi_fault_plan *plan, int32_t lba, uint32_t n)
{
	int64_t end = (int64_t)lba + n - 1;
	bool fail = false, hang = false, flaky = false;

	for (unsigned i = 0; i < plan->n; i++) {
		struct oi_fault *f = &plan->f[i];
		int64_t lo = OI_MAX((int64_t)f->first, (int64_t)lba);
		int64_t hi = OI_MIN((int64_t)f->last, end);

		if (lo > hi)
			continue;
		switch (f->kind) {
		case OI_FAULT_FAIL:
			fail = true;
			break;
		case OI_FAULT_HANG:
			hang = true;
			break;
		case OI_FAULT_FLAKY:
			for (int64_t k = lo; k <= hi; k++) {
				unsigned *left = &f->left[k - f->first];
				if (*left > 0) {
					(*left)--;
					flaky = true;
				}
			}
			break;
		default:
			break;
		}
	}
	return hang ? OI_FAULT_HANG : fail ? OI_FAULT_FAIL :
	    flaky ? OI_FAULT_FLAKY : OI_FAULT_NONE;
}

bool
oi_fault_covers(const struct oi_fault_plan *plan, int32_t lba,
    enum oi_fault_kind kind)
{
	for (unsigned i = 0; i < plan->n; i++)
		if (plan->f[i].kind == kind && (lba == INT32_MIN ||
		    (lba >= plan->f[i].first && lba <= plan->f[i].last)))
			return true;
	return false;
}
