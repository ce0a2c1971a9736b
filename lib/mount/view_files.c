/*
 * view_files.c - the table of a view's virtual files, made from the disc
 * model with the writers' own rules, so that each file is byte for byte
 * what the matching `optimg convert` writes:
 *   image.iso        first data track, INDEX 01 to the end of its stored
 *                    data, 2048 bytes a sector (write_iso.c)
 *   image.cue, image (Track N).bin
 *                    each track's stored sectors at the size the cue
 *                    writer stores them, and the sheet it writes for
 *                    them (write_cue.c with split bins)
 *   image.ccd/.img/.sub
 *                    every sector from LBA 0 to the lead-out, raw, its
 *                    subchannel and the full-TOC sheet (write_ccd.c; one
 *                    session, as that writer takes)
 *   tracks/NN.wav    an audio track's bin bytes after a 44-byte RIFF
 *                    header: 44.1 kHz, 16-bit, stereo PCM is what CD
 *                    audio sectors hold, little-endian as in a bin
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "convert.h"
#include "view_private.h"

#define WAV_HEADER 44

static struct view_file *
add_file(struct optimg_view *v, enum view_dir dir, const char *name)
{
	struct view_file *f = oi_reallocarray(v->files, v->nfiles + 1,
	    sizeof(*f));

	if (f == NULL)
		return NULL;
	v->files = f;
	f = &v->files[v->nfiles];
	memset(f, 0, sizeof(*f));
	if ((f->name = strdup(name)) == NULL)
		return NULL;
	f->dir = dir;
	v->nfiles++;
	return f;
}

/* A run of count sectors from lba, read at size bytes. */
static void
set_sectors(struct view_file *f, int32_t lba, uint32_t count, unsigned size)
{
	f->lba = lba;
	f->count = count;
	f->rsize = f->ssize = size;
	f->size = f->head_len + (uint64_t)count * size;
}

/* Takes text (malloc'd) as the whole file. */
static void
set_text(struct view_file *f, char *text, size_t len)
{
	f->head = (uint8_t *)text;
	f->head_len = len;
	f->size = len;
}

/*
 * The first data track, when its sectors have 2048-byte user data: a
 * formless Mode 2 track (2336 bytes, no form) has none to serve.
 */
static int
add_iso(struct optimg_view *v, struct optimg_image *img,
    struct optimg_error *err)
{
	const struct optimg_disc *d = v->disc;
	uint8_t probe[OPTIMG_USER_SECTOR];

	for (unsigned i = 0; i < d->ntracks; i++) {
		const struct optimg_track *t = &d->tracks[i];
		uint32_t n = t->length - t->postgap_unstored;
		struct view_file *f;

		if (t->mode == OPTIMG_TRACK_AUDIO)
			continue;
		if (n == 0 || optimg_image_read(img, t->start, 1,
		    OPTIMG_USER_SECTOR, probe) == OPTIMG_ELOSSY)
			return OPTIMG_OK;
		if ((f = add_file(v, VIEW_ROOT, "image.iso")) == NULL)
			return oi_set_error(err, OPTIMG_ENOMEM, "out of memory");
		set_sectors(f, t->start, n, OPTIMG_USER_SECTOR);
		return OPTIMG_OK;
	}
	return OPTIMG_OK;
}

static int
add_bins(struct optimg_view *v, const struct optimg_disc *out,
    char **names, struct optimg_error *err)
{
	for (unsigned i = 0; i < out->ntracks; i++) {
		const struct optimg_track *t = &out->tracks[i];
		struct view_file *f;

		names[i] = oi_redump_track_name("image", out, i);
		if (names[i] == NULL ||
		    (f = add_file(v, VIEW_ROOT, names[i])) == NULL)
			return oi_set_error(err, OPTIMG_ENOMEM, "out of memory");
		set_sectors(f, oi_track_stored_first(t),
		    oi_track_stored_count(t), t->sector_size);
	}
	return OPTIMG_OK;
}

static int
add_cue(struct optimg_view *v, struct optimg_error *err)
{
	struct optimg_disc out;
	struct view_file *f;
	char **names, *text = NULL;
	size_t len = 0;
	unsigned at = v->nfiles;	/* the sheet's place in the table */
	int rc;

	if (v->disc->ntracks == 0)
		return OPTIMG_OK;
	OI_TRY(oi_cue_out_disc(v->disc, &out, err));
	names = calloc(out.ntracks, sizeof(*names));
	if (names == NULL)
		rc = oi_set_error(err, OPTIMG_ENOMEM, "out of memory");
	else if ((f = add_file(v, VIEW_ROOT, "image.cue")) == NULL)
		rc = oi_set_error(err, OPTIMG_ENOMEM, "out of memory");
	else if ((rc = add_bins(v, &out, names, err)) == OPTIMG_OK &&
	    (rc = oi_cue_sheet_text(&out, (const char *const *)names, &text,
	    &len, err)) == OPTIMG_OK)
		set_text(&v->files[at], text, len);	/* f moved */
	for (unsigned i = 0; names != NULL && i < out.ntracks; i++)
		free(names[i]);
	free(names);
	free(out.tracks);
	return rc;
}

static int
add_ccd(struct optimg_view *v, struct optimg_error *err)
{
	const struct optimg_disc *d = v->disc;
	int32_t end;
	struct view_file *f;
	char *text = NULL;
	size_t len = 0;

	/* The CloneCD writer's reach: one session (write_ccd.c). */
	if (d->ntracks == 0 || d->nsessions != 1 ||
	    (end = d->sessions[0].leadout) <= 0)
		return OPTIMG_OK;
	OI_TRY(oi_ccd_sheet_text(d, end, &text, &len, err));
	if ((f = add_file(v, VIEW_ROOT, "image.ccd")) == NULL) {
		free(text);
		return oi_set_error(err, OPTIMG_ENOMEM, "out of memory");
	}
	set_text(f, text, len);
	if ((f = add_file(v, VIEW_ROOT, "image.img")) == NULL)
		return oi_set_error(err, OPTIMG_ENOMEM, "out of memory");
	set_sectors(f, 0, (uint32_t)end, OPTIMG_RAW_SECTOR);
	if ((f = add_file(v, VIEW_ROOT, "image.sub")) == NULL)
		return oi_set_error(err, OPTIMG_ENOMEM, "out of memory");
	set_sectors(f, 0, (uint32_t)end, OPTIMG_SUBCHANNEL);
	f->rsize = OPTIMG_RAW_SUB_SECTOR;
	f->ccd_sub = true;
	return OPTIMG_OK;
}

/* RIFF WAVE header of a 44.1 kHz 16-bit stereo PCM stream of n bytes. */
static void
wav_header(uint8_t h[WAV_HEADER], uint32_t n)
{
	memcpy(h, "RIFF", 4);
	oi_le32enc(h + 4, 36 + n);
	memcpy(h + 8, "WAVEfmt ", 8);
	oi_le32enc(h + 16, 16);
	oi_le32enc(h + 20, 1 | 2u << 16);	/* PCM, 2 channels */
	oi_le32enc(h + 24, 44100);
	oi_le32enc(h + 28, 44100 * 4);		/* bytes a second */
	oi_le32enc(h + 32, 4 | 16u << 16);	/* block align, bits */
	memcpy(h + 36, "data", 4);
	oi_le32enc(h + 40, n);
}

static int
add_wavs(struct optimg_view *v, struct optimg_error *err)
{
	const struct optimg_disc *d = v->disc;

	for (unsigned i = 0; i < d->ntracks; i++) {
		const struct optimg_track *t = &d->tracks[i];
		uint32_t n = oi_track_stored_count(t);
		struct view_file *f;
		char name[16];

		if (t->mode != OPTIMG_TRACK_AUDIO)
			continue;
		snprintf(name, sizeof(name), "%02u.wav", t->number);
		if ((f = add_file(v, VIEW_TRACKS, name)) == NULL ||
		    (f->head = malloc(WAV_HEADER)) == NULL)
			return oi_set_error(err, OPTIMG_ENOMEM, "out of memory");
		wav_header(f->head, n * OPTIMG_RAW_SECTOR);
		f->head_len = WAV_HEADER;
		set_sectors(f, oi_track_stored_first(t), n, OPTIMG_RAW_SECTOR);
		v->tracks_dir = true;
	}
	return OPTIMG_OK;
}

int
oi_view_build_files(struct optimg_view *v, struct optimg_image *img,
    struct optimg_error *err)
{
	OI_TRY(add_iso(v, img, err));
	OI_TRY(add_cue(v, err));
	OI_TRY(add_ccd(v, err));
	return add_wavs(v, err);
}

void
oi_view_release_files(struct optimg_view *v)
{
	for (unsigned i = 0; i < v->nfiles; i++) {
		free(v->files[i].name);
		free(v->files[i].head);
	}
	free(v->files);
	v->files = NULL;
	v->nfiles = 0;
}
