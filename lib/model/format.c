/*
 * format.c - the tables of image formats: readers, each bidding 0..100 on
 * a file's content (the highest bid wins, so a file named .bin that holds
 * an ISO is read as an ISO), and writers, chosen by name or by the
 * output's extension.
 *
 * A new reader is a fmt_NAME.c defining a struct oi_format plus one line
 * in readers[]; a new writer is a write_NAME.c defining a struct
 * oi_writer plus one line in writers[] (doc/architecture.md).
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "convert.h"
#include "pack.h"

/* Enough for a cue's first lines and an ISO's volume descriptor at 32 KiB. */
#define PROBE_BYTES (64u * 1024)
/* NRG's footer is in the last 12 bytes, CDI's in the last 8. */
#define PROBE_TAIL 4096u

/*
 * Ties go to the earlier reader: NRG and CDI first, as their checked
 * trailers are stronger evidence than an ISO's volume descriptor or a raw
 * sync at the head (a track-at-once NRG is an ISO with a footer).
 */
static const struct oi_format *const readers[] = {
	&oi_format_nrg,
	&oi_format_cdi,
	&oi_format_chd,
	&oi_format_cso,
	&oi_format_cue,
	&oi_format_ccd,
	&oi_format_iso,
	&oi_format_rawbin,
	&oi_format_gdi,
	&oi_format_mds,
	&oi_format_toc,
};

static const struct oi_writer *const writers[] = {
	&oi_writer_iso,
	&oi_writer_cue,
	&oi_writer_chd,
	&oi_writer_ccd,
	&oi_writer_toc,
	&oi_writer_gdi,
	&oi_writer_cso,
	&oi_writer_zso,
};

struct head {
	uint8_t		*buf;		/* head, then tail */
	struct oi_probe	 p;
};

static int
read_head(struct optimg_image *img, const char *path, struct head *h)
{
	struct oi_stream st;
	size_t want, tail;
	int rc;

	OI_TRY(oi_stream_open(&st, path, &img->err));
	want = (size_t)OI_MIN((uint64_t)PROBE_BYTES, st.size);
	tail = (size_t)OI_MIN((uint64_t)PROBE_TAIL, st.size);
	h->buf = malloc(want + tail + 1);
	if (h->buf == NULL)
		rc = oi_set_error(&img->err, OPTIMG_ENOMEM, "out of memory");
	else
		rc = oi_stream_pread(&st, h->buf, want, 0, &img->err);
	if (rc == OPTIMG_OK)
		rc = oi_stream_pread(&st, h->buf + want, tail, st.size - tail,
		    &img->err);
	h->p.head = h->buf;
	h->p.head_len = want;
	h->p.tail = h->buf != NULL ? h->buf + want : NULL;
	h->p.tail_len = tail;
	h->p.size = st.size;
	h->p.path = path;
	oi_stream_close(&st);
	return rc;
}

const struct oi_format *
oi_format_detect(const struct oi_probe *p)
{
	const struct oi_format *best = NULL;
	int best_bid = 0;

	for (unsigned i = 0; i < OI_ARRAY_SIZE(readers); i++) {
		int bid = readers[i]->probe(p);
		if (bid > best_bid) {
			best_bid = bid;
			best = readers[i];
		}
	}
	return best;
}

static void
list_names(char *buf, size_t len, bool write)
{
	size_t off = 0;
	unsigned n = write ? OI_ARRAY_SIZE(writers) : OI_ARRAY_SIZE(readers);

	buf[0] = '\0';
	for (unsigned i = 0; i < n && off < len; i++)
		off += (size_t)snprintf(buf + off, len - off, "%s%s",
		    i > 0 ? ", " : "", write ? writers[i]->name :
		    readers[i]->description);
}

int
optimg_image_open(struct optimg_image *img, const char *path)
{
	const struct oi_format *best;
	struct head h = { 0 };
	char names[256];
	int rc;

	if (img->format != NULL)
		return oi_set_error(&img->err, OPTIMG_EINVAL,
		    "image object is already open");
	oi_error_clear(&img->err);
	rc = read_head(img, path, &h);
	best = rc == OPTIMG_OK ? oi_format_detect(&h.p) : NULL;
	free(h.buf);
	if (rc < 0)
		return rc;
	if (best == NULL) {
		list_names(names, sizeof(names), false);
		return oi_set_error(&img->err, OPTIMG_EFORMAT,
		    "'%s': not a disc image optimg knows (%s)", path, names);
	}
	img->path = strdup(path);
	if (img->path == NULL)
		return oi_set_error(&img->err, OPTIMG_ENOMEM, "out of memory");
	img->format = best;
	rc = best->open(img, path);
	if (rc < 0 && img->err.code == 0)
		oi_set_error(&img->err, rc, "'%s': %s", path,
		    optimg_strerror(rc));
	return rc;
}

/* ---- writers ------------------------------------------------------------ */

/*
 * Whether path ends with one of w's extensions, before a compression
 * suffix (x.iso.xz is an ISO, written compressed); a compressed x.bin
 * is a BIN/CUE.
 */
static bool
has_extension(const struct oi_writer *w, const char *path)
{
	size_t sl = oi_pack_suffix_len(path), n = strlen(path) - sl;
	const char *dot = path + n;

	while (dot > path && dot[-1] != '.' && dot[-1] != '/')
		dot--;
	if (dot == path || dot[-1] != '.')
		return false;
	dot--;
	for (const char *const *e = w->extensions; *e != NULL; e++)
		if (strlen(*e) == (size_t)(path + n - dot) &&
		    strncasecmp(dot, *e, strlen(*e)) == 0)
			return true;
	return sl > 0 && w == &oi_writer_cue && path + n - dot == 4 &&
	    strncasecmp(dot, ".bin", 4) == 0;
}

int
oi_writer_find(const char *name, const char *out,
    const struct oi_writer **w, struct optimg_error *err)
{
	char names[128];

	for (unsigned i = 0; i < OI_ARRAY_SIZE(writers); i++)
		if (name != NULL ? strcasecmp(name, writers[i]->name) == 0 ||
		    (writers[i]->alias != NULL &&
		    strcasecmp(name, writers[i]->alias) == 0) :
		    has_extension(writers[i], out)) {
			*w = writers[i];
			return OPTIMG_OK;
		}
	list_names(names, sizeof(names), true);
	if (name != NULL) {
		oi_set_error(err, OPTIMG_EINVAL,
		    "no output format '%s'; optimg writes %s", name, names);
		return oi_error_about(err, OPTIMG_OPTION_OUTPUT_FORMAT);
	}
	oi_set_error(err, OPTIMG_EINVAL, "cannot tell the output format from "
	    "'%s'; name it with the extension of one of %s", out, names);
	return oi_error_remedy(err, OPTIMG_OPTION_OUTPUT_FORMAT,
	    OPTIMG_OPTION_NONE);
}

const char *
optimg_convert_format(const char *format, const char *out)
{
	const struct oi_writer *w;
	struct optimg_error ignored;

	if (oi_writer_find(format, out != NULL ? out : "", &w, &ignored) < 0)
		return NULL;
	return w->name;
}

const char *
optimg_convert_formats(void)
{
	static char names[128];

	if (names[0] == '\0')
		list_names(names, sizeof(names), true);
	return names;
}
