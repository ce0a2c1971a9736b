/*
 * convert.c - optimg_convert(): choose the output layout, guard the inputs,
 * hand over to a writer.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "convert.h"
#include "chd.h"
#include "place.h"
#include "pack.h"

int
oi_progress_add(struct oi_progress *p, uint64_t bytes,
    struct optimg_error *err)
{
	p->done += bytes;
	if (p->fn != NULL && p->fn(p->ctx, p->done, p->total) != 0)
		return oi_set_error(err, OPTIMG_ECANCELED, "interrupted");
	return OPTIMG_OK;
}

static int
copy_chunks(struct optimg_image *img, int32_t lba, uint32_t left,
    unsigned size, struct oi_outfile *of, struct oi_progress *prog,
    uint8_t *bufs[2], struct optimg_error *err)
{
	unsigned which = 0;
	int rc = OPTIMG_OK;

	img->cores_taken = 1;	/* the outfile's writer */
	while (left > 0 && rc == OPTIMG_OK) {
		uint32_t n = OI_MIN(left, OI_CONVERT_CHUNK);
		size_t bytes = (size_t)n * size;

		if (optimg_image_read(img, lba, n, size, bufs[which]) < 0) {
			*err = img->err;
			rc = err->code;
			break;
		}
		rc = oi_outfile_write_async(of, bufs[which], bytes, err);
		if (rc == OPTIMG_OK)
			rc = oi_progress_add(prog, bytes, err);
		which ^= 1;
		lba += (int32_t)n;
		left -= n;
	}
	img->cores_taken = 0;
	return rc;
}

int
oi_copy_sectors(struct optimg_image *img, int32_t lba, uint32_t count,
    unsigned size, struct oi_outfile *of, struct oi_progress *prog,
    uint8_t *bufs[2], struct optimg_error *err)
{
	struct optimg_error ignored;
	int rc = oi_outfile_reserve(of, (uint64_t)count * size, err);

	if (rc == OPTIMG_OK)
		rc = copy_chunks(img, lba, count, size, of, prog, bufs, err);

	if (rc < 0) {
		(void)oi_outfile_wait(of, &ignored);
		return rc;
	}
	return oi_outfile_wait(of, err);
}

int
oi_check_not_input(const struct optimg_image *img, const char *path,
    struct optimg_error *err)
{
	const char **in = calloc(img->nstreams + 1, sizeof(*in));
	int rc;

	if (in == NULL)
		return oi_set_error(err, OPTIMG_ENOMEM, "out of memory");
	in[0] = img->path;
	for (unsigned i = 0; i < img->nstreams; i++)
		in[i + 1] = img->streams[i].path;
	rc = oi_place_check(path, in, img->nstreams + 1, err);
	free(in);
	return rc;
}

/* ---- what the target cannot hold --------------------------------------- */

struct losses {
	char	text[OPTIMG_ERRMSG_MAX / 2];
	size_t	len;
};

static void
lose(struct losses *l, const char *what, const char *which)
{
	if (l->len >= sizeof(l->text))
		return;
	l->len += (size_t)snprintf(l->text + l->len, sizeof(l->text) - l->len,
	    "%s%s%s%s%s", l->len > 0 ? ", " : "", what,
	    *which != '\0' ? " (" : "", which, *which != '\0' ? ")" : "");
}

bool
oi_cdtext_any(const struct optimg_cdtext *ct)
{
	for (unsigned i = 0; i < OPTIMG_CDTEXT_NFIELDS; i++)
		if (ct->field[i] != NULL)
			return true;
	return false;
}

bool
oi_disc_cdtext_any(const struct optimg_disc *d)
{
	bool any = oi_cdtext_any(&d->cdtext);

	for (unsigned i = 0; i < d->ntracks; i++)
		any = any || oi_cdtext_any(&d->tracks[i].cdtext);
	return any;
}

/* "tracks 1, 3" of the tracks for which pick() says yes; "" if none. */
static bool
tracks_where(const struct optimg_disc *d, char *buf, size_t len,
    bool (*pick)(const struct optimg_track *, unsigned), unsigned holds)
{
	size_t off = 0;
	unsigned n = 0;

	buf[0] = '\0';
	for (unsigned i = 0; i < d->ntracks; i++) {
		if (!pick(&d->tracks[i], holds))
			continue;
		if (off < len)
			off += (size_t)snprintf(buf + off, len - off, "%s%u",
			    n == 0 ? "track " : ", ", d->tracks[i].number);
		n++;
	}
	if (n > 1 && off < len) {	/* "track 1, 2" -> "tracks 1, 2" */
		memmove(buf + 6, buf + 5, strlen(buf + 5) + 1);
		buf[5] = 's';
	}
	return n > 0;
}

static bool
lost_sub(const struct optimg_track *t, unsigned holds)
{
	if (!t->subchannel || (holds & OI_HOLDS_SUB))
		return false;
	return !(holds & OI_HOLDS_SUB_AUDIO) || t->mode != OPTIMG_TRACK_AUDIO;
}

static bool
lost_cdtext(const struct optimg_track *t, unsigned holds)
{
	return !(holds & OI_HOLDS_CDTEXT) && oi_cdtext_any(&t->cdtext);
}

static bool
lost_isrc(const struct optimg_track *t, unsigned holds)
{
	return !(holds & OI_HOLDS_CODES) && t->isrc[0] != '\0';
}

/* Names what disc d has that a writer holding holds would drop. */
static void
find_losses(const struct optimg_disc *d, unsigned holds, struct losses *l)
{
	char which[128];

	if (tracks_where(d, which, sizeof(which), lost_sub, holds))
		lose(l, "subchannel", which);
	if (!(holds & OI_HOLDS_CDTEXT) && (oi_cdtext_any(&d->cdtext) ||
	    d->cdtextfile != NULL))
		lose(l, "CD-TEXT", "disc");
	if (tracks_where(d, which, sizeof(which), lost_cdtext, holds))
		lose(l, "CD-TEXT", which);
	/* A format with no table of contents (an ISO) drops the codes as it
	   drops flags and pregaps: they describe the disc, not its data. */
	if (!(holds & OI_HOLDS_TRACKS))
		return;
	if (!(holds & OI_HOLDS_CODES) && d->catalog[0] != '\0')
		lose(l, "catalog number", "");
	if (tracks_where(d, which, sizeof(which), lost_isrc, holds))
		lose(l, "ISRC", which);
	if (!(holds & OI_HOLDS_SESSIONS) && d->nsessions > 1) {
		snprintf(which, sizeof(which), "%u", d->nsessions);
		lose(l, "sessions", which);
	}
}

/*
 * Refuses a conversion that would drop something, naming it.  Tracks an
 * ISO cannot hold are its writer's to name (it offers --data-track);
 * naming a data track already says to keep only it.
 */
static int
check_losses(const struct optimg_image *img, const struct oi_writer *w,
    const struct optimg_convert_opts *opts, struct optimg_error *err)
{
	struct losses l = { .len = 0 };

	if (opts->lossy || opts->data_track != 0)
		return OPTIMG_OK;
	l.text[0] = '\0';
	find_losses(&img->disc, w->holds, &l);
	if (l.len == 0)
		return OPTIMG_OK;
	oi_set_error(err, OPTIMG_ELOSSY, "%s cannot hold the image's %s",
	    w->description, l.text);
	return oi_error_remedy(err, OPTIMG_OPTION_LOSSY, OPTIMG_OPTION_NONE);
}

/*
 * Compressing as the output is written (x.iso.xz, x.bin.ecm) suits the
 * writers that write in order: ISO and BIN/CUE.  ECM packs raw sectors,
 * so only bins.
 */
static int
check_pack(const struct oi_writer *w, const char *out,
    struct optimg_error *err)
{
	enum oi_pack_kind kind = oi_pack_kind_of(out);

	if (kind == OI_PACK_NONE)
		return OPTIMG_OK;
	if (w != &oi_writer_iso && w != &oi_writer_cue)
		return oi_set_error(err, OPTIMG_EINVAL, "'%s': %s cannot be "
		    "compressed as %s; compress an ISO (NAME.iso%s) or "
		    "BIN/CUE (NAME.bin%s)", out, w->description,
		    oi_pack_name(kind), out + strlen(out) -
		    oi_pack_suffix_len(out), out + strlen(out) -
		    oi_pack_suffix_len(out));
	if (kind == OI_PACK_ECM && w == &oi_writer_iso)
		return oi_set_error(err, OPTIMG_EINVAL, "'%s': ECM strips what "
		    "raw sectors repeat and an ISO holds none; write NAME.bin.ecm",
		    out);
	return OPTIMG_OK;
}

int
optimg_convert(struct optimg_image *img, const char *out,
    const struct optimg_convert_opts *opts, struct optimg_error *err)
{
	const struct oi_writer *w = NULL;

	oi_error_clear(err);
	if (img->format == NULL)
		return oi_set_error(err, OPTIMG_EINVAL, "the image is not open");
	if (img->lossy != NULL)
		return oi_set_error(err, OPTIMG_ELOSSY, "%s", img->lossy);
	OI_TRY(oi_writer_find(opts->format, out, &w, err));
	OI_TRY(check_pack(w, out, err));
	if (w->check != NULL)
		OI_TRY(w->check(img, opts, err));
	OI_TRY(check_losses(img, w, opts, err));
	/* Every file of an output goes beside out. */
	oi_sweep_stale(out, opts->warning, opts->warning_ctx);
	return w->write(img, out, opts, err);
}
