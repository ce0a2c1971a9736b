/*
 * rescue_map.c - the rescue map of a rip: which sectors are good, bad or
 * still untried, kept as a sorted list of extents that tile the range
 * (ddrescue's map file in spirit; the format is described in rip.h).
 *
 * The file is rewritten after every batch of a rip, through a temporary
 * file renamed over the old one, so it is always either the old map or
 * the new one, never half of each.  Reading it back treats the text as
 * hostile: every number is range-checked and the extents must tile the
 * range exactly, else the map is refused rather than guessed at.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <zlib.h>

#include "rip.h"

#define MAP_VERSION	1
#define MAP_MAX_BYTES	(64u << 20)
#define MAX_WORDS	4

static const char *const status_names[] = {
	"untried", "bad", "good", "kept", "cooked", "rawfail", "rebuilt",
	"gap",
};

const char *
oi_map_status_name(enum oi_map_status st)
{
	return (unsigned)st < OI_ARRAY_SIZE(status_names) ?
	    status_names[st] : "?";
}

bool
oi_map_done(enum oi_map_status st)
{
	return st == OI_MAP_GOOD || st == OI_MAP_KEPT || st == OI_MAP_COOKED ||
	    st == OI_MAP_REBUILT || st == OI_MAP_GAP;
}

int
oi_map_init(struct oi_rescue_map *m, int32_t first, int32_t end)
{
	memset(m, 0, sizeof(*m));
	m->first = first;
	m->end = end;
	snprintf(m->output, sizeof(m->output), "cue");
	if (end <= first)
		return OPTIMG_OK;
	m->ext = malloc(sizeof(*m->ext));
	if (m->ext == NULL)
		return OPTIMG_ENOMEM;
	m->ext[0] = (struct oi_map_extent){ first, (uint32_t)(end - first),
	    OI_MAP_UNTRIED, false, 0 };
	m->n = 1;
	return OPTIMG_OK;
}

void
oi_map_release(struct oi_rescue_map *m)
{
	free(m->ext);
	m->ext = NULL;
	m->n = 0;
}

static int64_t
ext_end(const struct oi_map_extent *e)
{
	return (int64_t)e->start + e->count;
}

/* Index of the extent holding lba (which lies in the range). */
static unsigned
find(const struct oi_rescue_map *m, int32_t lba)
{
	unsigned lo = 0, hi = m->n;

	while (hi - lo > 1) {
		unsigned mid = lo + (hi - lo) / 2;
		if (m->ext[mid].start <= lba)
			lo = mid;
		else
			hi = mid;
	}
	return lo;
}

/*
 * Appends e to out, merging it into the last extent of the same status;
 * the merged CRC is known when both were and the sector size is.
 */
static void
push(struct oi_map_extent *out, unsigned *n, struct oi_map_extent e,
    unsigned unit)
{
	struct oi_map_extent *last = *n > 0 ? &out[*n - 1] : NULL;

	if (e.count == 0)
		return;
	if (last != NULL && last->status == e.status &&
	    ext_end(last) == e.start) {
		last->hashed = last->hashed && e.hashed && unit > 0;
		if (last->hashed)
			last->crc = (uint32_t)crc32_combine(last->crc, e.crc,
			    (z_off_t)e.count * unit);
		last->count += e.count;
		return;
	}
	out[(*n)++] = e;
}

/* The part of e from start for count sectors: a piece loses its CRC. */
static struct oi_map_extent
piece(const struct oi_map_extent *e, int64_t start, int64_t count)
{
	struct oi_map_extent p = *e;

	p.hashed = e->hashed && start == e->start && count == e->count;
	p.start = (int32_t)start;
	p.count = count > 0 ? (uint32_t)count : 0;
	return p;
}

static int
set_extent(struct oi_rescue_map *m, struct oi_map_extent e)
{
	int32_t start = e.start;
	uint32_t count = e.count;
	int64_t end = (int64_t)start + count;
	struct oi_map_extent *out;
	unsigned lo, hi, n = 0;

	if (count == 0)
		return OPTIMG_OK;
	if (start < m->first || end > m->end || m->n == 0)
		return OPTIMG_ERANGE;
	lo = find(m, start);
	hi = find(m, (int32_t)(end - 1));
	/* At most two more extents than now: the ends of a split one. */
	out = oi_reallocarray(NULL, m->n + 2, sizeof(*out));
	if (out == NULL)
		return OPTIMG_ENOMEM;
	for (unsigned i = 0; i < lo; i++)
		push(out, &n, m->ext[i], m->unit);
	push(out, &n, piece(&m->ext[lo], m->ext[lo].start,
	    start - m->ext[lo].start), m->unit);
	push(out, &n, e, m->unit);
	push(out, &n, piece(&m->ext[hi], end, ext_end(&m->ext[hi]) - end),
	    m->unit);
	for (unsigned i = hi + 1; i < m->n; i++)
		push(out, &n, m->ext[i], m->unit);
	free(m->ext);
	m->ext = out;
	m->n = n;
	return OPTIMG_OK;
}

int
oi_map_set(struct oi_rescue_map *m, int32_t start, uint32_t count,
    enum oi_map_status st)
{
	return set_extent(m, (struct oi_map_extent){ start, count, st,
	    false, 0 });
}

int
oi_map_set_hashed(struct oi_rescue_map *m, int32_t start, uint32_t count,
    enum oi_map_status st, uint32_t crc)
{
	return set_extent(m, (struct oi_map_extent){ start, count, st,
	    true, crc });
}

enum oi_map_status
oi_map_status_at(const struct oi_rescue_map *m, int32_t lba)
{
	if (lba < m->first || lba >= m->end || m->n == 0)
		return OI_MAP_UNTRIED;
	return m->ext[find(m, lba)].status;
}

uint32_t
oi_map_count(const struct oi_rescue_map *m, enum oi_map_status st)
{
	uint32_t total = 0;

	for (unsigned i = 0; i < m->n; i++)
		if (m->ext[i].status == st)
			total += m->ext[i].count;
	return total;
}

unsigned
oi_map_extents(const struct oi_rescue_map *m, enum oi_map_status st)
{
	unsigned total = 0;

	for (unsigned i = 0; i < m->n; i++)
		total += m->ext[i].status == st;
	return total;
}

bool
oi_map_next_todo(const struct oi_rescue_map *m, int32_t lba, int32_t *start,
    uint32_t *count)
{
	unsigned i;

	if (m->n == 0 || lba >= m->end)
		return false;
	if (lba < m->first)
		lba = m->first;
	for (i = find(m, lba); i < m->n; i++) {
		const struct oi_map_extent *e = &m->ext[i];
		int64_t s;

		if (oi_map_done(e->status))
			continue;
		s = OI_MAX((int64_t)e->start, (int64_t)lba);
		*start = (int32_t)s;
		*count = (uint32_t)(ext_end(e) - s);
		/* Bad next to untried: both are to do. */
		while (i + 1 < m->n && !oi_map_done(m->ext[i + 1].status))
			*count += m->ext[++i].count;
		return true;
	}
	return false;
}

/* ---- text ---------------------------------------------------------------- */

int
oi_map_format(const struct oi_rescue_map *m, char **text, size_t *len)
{
	FILE *f = open_memstream(text, len);

	if (f == NULL)
		return OPTIMG_ENOMEM;
	fprintf(f, "# optimg rescue map: which sectors of a rip are in its "
	    ".part files.\n"
	    "# Running the same rip again reads only what is untried, bad "
	    "or rawfail.\n"
	    "optimg-map %d\n", MAP_VERSION);
	/* An empty word would not read back (tests/fuzz/fuzz_map.c). */
	if (m->disc[0] != '\0')
		fprintf(f, "disc %s\n", m->disc);
	if (m->output[0] != '\0')
		fprintf(f, "output %s\n", m->output);
	fprintf(f, "offset %d\n", m->offset);
	if (m->unit > 0)
		fprintf(f, "unit %u\n", m->unit);
	fprintf(f, "range %ld %ld\n"
	    "# first count status [crc32 of the extent's bytes]\n",
	    (long)m->first, (long)m->end);
	for (unsigned i = 0; i < m->n; i++) {
		const struct oi_map_extent *e = &m->ext[i];
		fprintf(f, "%ld %lu %s", (long)e->start,
		    (unsigned long)e->count, oi_map_status_name(e->status));
		if (e->hashed && oi_map_done(e->status))
			fprintf(f, " %08lx", (unsigned long)e->crc);
		fputc('\n', f);
	}
	if (fclose(f) != 0) {
		free(*text);
		*text = NULL;
		return OPTIMG_ENOMEM;
	}
	return OPTIMG_OK;
}

struct line {
	const char	*word[MAX_WORDS];
	size_t		 wlen[MAX_WORDS];
	unsigned	 nwords;
	unsigned	 number;
};

/* Splits p[0..len) into blank-separated words; false when too many. */
static bool
split_words(const char *p, size_t len, struct line *l)
{
	size_t i = 0;

	l->nwords = 0;
	while (i < len) {
		size_t s;
		while (i < len && (p[i] == ' ' || p[i] == '\t' || p[i] == '\r'))
			i++;
		if (i == len)
			break;
		if (l->nwords == MAX_WORDS)
			return false;
		s = i;
		while (i < len && p[i] != ' ' && p[i] != '\t' && p[i] != '\r')
			i++;
		l->word[l->nwords] = p + s;
		l->wlen[l->nwords++] = i - s;
	}
	return true;
}

static bool
word_is(const struct line *l, unsigned i, const char *s)
{
	return l->wlen[i] == strlen(s) && memcmp(l->word[i], s, l->wlen[i]) == 0;
}

/* A decimal number in [min, max]: digits only, an optional '-'. */
static bool
word_num(const struct line *l, unsigned i, int64_t min, int64_t max,
    int64_t *out)
{
	const char *p = l->word[i];
	size_t n = l->wlen[i], k = 0;
	bool neg = false;
	int64_t v = 0;

	if (n > 0 && p[0] == '-') {
		neg = true;
		k = 1;
	}
	if (k == n || n - k > 12)
		return false;
	for (; k < n; k++) {
		if (p[k] < '0' || p[k] > '9')
			return false;
		v = v * 10 + (p[k] - '0');
	}
	v = neg ? -v : v;
	if (v < min || v > max)
		return false;
	*out = v;
	return true;
}

/* Exactly 8 hex digits. */
static bool
word_hex32(const struct line *l, unsigned i, uint32_t *out)
{
	uint32_t v = 0;

	if (l->wlen[i] != 8)
		return false;
	for (size_t k = 0; k < 8; k++) {
		char c = l->word[i][k];
		unsigned d = c >= '0' && c <= '9' ? (unsigned)(c - '0') :
		    c >= 'a' && c <= 'f' ? (unsigned)(c - 'a' + 10) :
		    c >= 'A' && c <= 'F' ? (unsigned)(c - 'A' + 10) : 16;
		if (d == 16)
			return false;
		v = v << 4 | d;
	}
	*out = v;
	return true;
}

struct parser {
	struct oi_rescue_map	*m;
	struct optimg_error	*err;
	bool			 have_version, have_range;
	int64_t			 next;		/* where the next extent starts */
	unsigned		 cap;
};

static int
bad(struct parser *ps, const struct line *l, const char *what)
{
	return oi_set_error(ps->err, OPTIMG_EFORMAT, "line %u: %s", l->number,
	    what);
}

static int
header_line(struct parser *ps, const struct line *l)
{
	struct oi_rescue_map *m = ps->m;
	int64_t a, b;

	if (word_is(l, 0, "optimg-map")) {
		if (l->nwords != 2 || !word_num(l, 1, 0, 1000, &a))
			return bad(ps, l, "expected 'optimg-map VERSION'");
		if (a != MAP_VERSION)
			return bad(ps, l, "map version is not 1");
		ps->have_version = true;
	} else if (!ps->have_version)
		return bad(ps, l, "not an optimg rescue map");
	else if (word_is(l, 0, "disc") || word_is(l, 0, "output")) {
		char *dst = word_is(l, 0, "disc") ? m->disc : m->output;
		size_t cap = word_is(l, 0, "disc") ? sizeof(m->disc) :
		    sizeof(m->output);
		if (l->nwords != 2 || l->wlen[1] >= cap)
			return bad(ps, l, "expected one short word");
		memcpy(dst, l->word[1], l->wlen[1]);
		dst[l->wlen[1]] = '\0';
	} else if (word_is(l, 0, "unit")) {
		if (l->nwords != 2 || !word_num(l, 1, 1, 4096, &a) ||
		    ps->have_range)
			return bad(ps, l, "expected 'unit BYTES' before 'range'");
		m->unit = (unsigned)a;
	} else if (word_is(l, 0, "offset")) {
		if (l->nwords != 2 || !word_num(l, 1, -1000000, 1000000, &a))
			return bad(ps, l, "expected 'offset SAMPLES'");
		m->offset = (int)a;
	} else if (word_is(l, 0, "range")) {
		if (ps->have_range || l->nwords != 3 ||
		    !word_num(l, 1, -450150, INT32_MAX, &a) ||
		    !word_num(l, 2, -450150, INT32_MAX, &b) || b < a)
			return bad(ps, l, "expected one 'range FIRST END'");
		m->first = (int32_t)a;
		m->end = (int32_t)b;
		ps->next = a;
		ps->have_range = true;
	} else
		return bad(ps, l, "unknown keyword");
	return OPTIMG_OK;
}

static int
extent_line(struct parser *ps, const struct line *l)
{
	struct oi_rescue_map *m = ps->m;
	int64_t start, count;
	uint32_t crc = 0;
	int st = -1;

	if (!ps->have_version)
		return bad(ps, l, "not an optimg rescue map");
	if (!ps->have_range)
		return bad(ps, l, "extent before the 'range' line");
	if (l->nwords < 3 || l->nwords > 4 ||
	    !word_num(l, 0, -450150, INT32_MAX, &start) ||
	    !word_num(l, 1, 1, INT32_MAX, &count))
		return bad(ps, l, "expected 'FIRST COUNT STATUS [CRC32]'");
	for (unsigned i = 0; i < OI_ARRAY_SIZE(status_names); i++)
		if (word_is(l, 2, status_names[i]))
			st = (int)i;
	if (l->nwords == 4 && (st < 0 || !oi_map_done(st) ||
	    st == OI_MAP_GAP || !word_hex32(l, 3, &crc)))
		return bad(ps, l, "expected 'FIRST COUNT STATUS [CRC32]' with "
		    "8 hex digits of CRC32 after a done status");
	if (st < 0)
		return bad(ps, l, "status is not good, kept, cooked, "
		    "rebuilt, gap, rawfail, bad or untried");
	if (start != ps->next)
		return bad(ps, l, "extent does not start where the last ended");
	if (start + count > m->end)
		return bad(ps, l, "extent runs past the end of the range");
	if (m->n == ps->cap) {
		unsigned cap = ps->cap ? ps->cap * 2 : 16;
		struct oi_map_extent *p = oi_reallocarray(m->ext, cap,
		    sizeof(*p));
		if (p == NULL)
			return oi_set_error(ps->err, OPTIMG_ENOMEM,
			    "out of memory");
		m->ext = p;
		ps->cap = cap;
	}
	/* Neighbours of one status are merged, as oi_map_set keeps them. */
	push(m->ext, &m->n, (struct oi_map_extent){ (int32_t)start,
	    (uint32_t)count, (enum oi_map_status)st, l->nwords == 4, crc },
	    m->unit);
	ps->next = start + count;
	return OPTIMG_OK;
}

int
oi_map_parse(const char *text, size_t len, struct oi_rescue_map *m,
    struct optimg_error *err)
{
	struct parser ps = { .m = m, .err = err };
	struct line l = { .number = 0 };
	size_t pos = 0;
	int rc = OPTIMG_OK;

	memset(m, 0, sizeof(*m));
	while (pos < len && rc == OPTIMG_OK) {
		const char *p = text + pos, *nl = memchr(p, '\n', len - pos);
		size_t n = nl != NULL ? (size_t)(nl - p) : len - pos;
		size_t lead = 0;

		pos += n + (nl != NULL);
		l.number++;

		while (lead < n && (p[lead] == ' ' || p[lead] == '\t'))
			lead++;
		if (lead < n && p[lead] == '#')
			continue;
		if (memchr(p, '\0', n) != NULL)
			rc = bad(&ps, &l, "NUL byte");
		else if (!split_words(p, n, &l))
			rc = bad(&ps, &l, "too many words");
		else if (l.nwords == 0)
			continue;
		else if ((l.word[0][0] >= '0' && l.word[0][0] <= '9') ||
		    l.word[0][0] == '-')
			rc = extent_line(&ps, &l);
		else
			rc = header_line(&ps, &l);
	}
	if (rc == OPTIMG_OK && (!ps.have_version || !ps.have_range))
		rc = oi_set_error(err, OPTIMG_EFORMAT,
		    "not an optimg rescue map (no 'optimg-map' or 'range')");
	else if (rc == OPTIMG_OK && ps.next != m->end)
		rc = oi_set_error(err, OPTIMG_EFORMAT, "the extents end at "
		    "%lld, not at the end of the range (%ld)",
		    (long long)ps.next, (long)m->end);
	if (rc < 0)
		oi_map_release(m);
	return rc;
}

/* ---- files --------------------------------------------------------------- */

static int
write_all(int fd, const char *p, size_t len)
{
	while (len > 0) {
		ssize_t n = write(fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

int
oi_map_save(const struct oi_rescue_map *m, const char *path,
    struct optimg_error *err)
{
	char *text = NULL, *tmp;
	size_t len = 0, n = strlen(path) + 16;
	int fd, rc = OPTIMG_OK;

	if (oi_map_format(m, &text, &len) < 0 || (tmp = malloc(n)) == NULL) {
		free(text);
		return oi_set_error(err, OPTIMG_ENOMEM, "out of memory");
	}
	snprintf(tmp, n, "%s.XXXXXX", path);
	fd = mkstemp(tmp);
	if (fd < 0)
		rc = oi_set_errno(err, OPTIMG_EIO, "cannot create '%s'", tmp);
	else {
		(void)fchmod(fd, 0644);
		/* Flushed before the rename: after a crash the map is the
		 * old one or this one, and each CRC says whether the part
		 * files caught up. */
		bool failed = write_all(fd, text, len) != 0 || fsync(fd) != 0;

		if (close(fd) != 0 || failed)
			rc = oi_set_errno(err, OPTIMG_EIO, "cannot write '%s'",
			    tmp);
		else if (rename(tmp, path) != 0)
			rc = oi_set_errno(err, OPTIMG_EIO, "cannot rename "
			    "'%s' to '%s'", tmp, path);
		if (rc < 0)
			unlink(tmp);
	}
	free(tmp);
	free(text);
	return rc;
}

int
oi_map_load(const char *path, struct oi_rescue_map *m,
    struct optimg_error *err)
{
	char *text = NULL;
	size_t len = 0;
	int rc;

	memset(m, 0, sizeof(*m));
	OI_TRY(oi_read_small_file(path, MAP_MAX_BYTES, &text, &len, err));
	rc = oi_map_parse(text, len, m, err);
	free(text);
	if (rc < 0) {
		char msg[OPTIMG_ERRMSG_MAX];
		snprintf(msg, sizeof(msg), "%s", err->message);
		oi_set_error(err, rc, "rescue map '%s' %s", path, msg);
	}
	return rc;
}
