/*
 * write_toc.c - any single-session image out to a cdrdao TOC: NAME.toc
 * and NAME.bin holding every track's stored sectors one after another
 * (each track's DATAFILE or FILE names its #byte-offset), or with --split
 * one file a track, named as Redump names them.
 *
 * Each track is written as the image keeps it: raw tracks as AUDIO,
 * MODE1_RAW or MODE2_RAW; cooked ones as MODE1 (2048), MODE2_FORM1 (2048)
 * or MODE2_FORM_MIX (2336, subheader included).  A track with a
 * subchannel is a raw track with RW_RAW: 2352 + 96 bytes a block, the raw
 * interleaved P-W a drive returns (cdrdao takes R-W from it when
 * writing; optimg reads P and Q back too, so the subchannel survives).
 * Audio without a subchannel is little-endian in the .bin, so its FILE
 * says SWAP (raw files are big-endian to cdrdao).  Gaps no file holds
 * are PREGAP, or SILENCE / ZERO before and after the data with START
 * where INDEX 01 is; INDEX 02.. are positions after START.  CD-TEXT
 * (language block 0, English), CATALOG and ISRC are written.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "convert.h"

struct toc_job {
	struct oi_sheet_out	 so;
	uint64_t		*offset;	/* each track's #byte-offset */
};

/* Bytes a block of t takes in the file, and the TOC's words for it. */
static unsigned
toc_block(const struct optimg_track *t, const char **mode)
{
	bool raw = t->storage == OPTIMG_STORE_RAW || t->subchannel;

	if (t->mode == OPTIMG_TRACK_AUDIO) {
		*mode = t->subchannel ? "AUDIO RW_RAW" : "AUDIO";
	} else if (t->mode == OPTIMG_TRACK_MODE1) {
		*mode = t->subchannel ? "MODE1_RAW RW_RAW" :
		    raw ? "MODE1_RAW" : "MODE1";
		if (!raw)
			return OPTIMG_USER_SECTOR;
	} else {
		*mode = t->subchannel ? "MODE2_RAW RW_RAW" : raw ? "MODE2_RAW" :
		    t->storage == OPTIMG_STORE_MODE2 ? "MODE2_FORM_MIX" :
		    "MODE2_FORM1";
		if (!raw)
			return t->storage == OPTIMG_STORE_MODE2 ? 2336 :
			    OPTIMG_USER_SECTOR;
	}
	return t->subchannel ? OPTIMG_RAW_SUB_SECTOR : OPTIMG_RAW_SECTOR;
}

static void
put_msf(FILE *f, uint32_t blocks)
{
	fprintf(f, "%02lu:%02lu:%02lu", (unsigned long)(blocks / 4500),
	    (unsigned long)(blocks / 75 % 60), (unsigned long)(blocks % 75));
}

/*
 * A string as cdrdao reads it: quotes and backslashes escaped, control
 * bytes and (when the text is all Latin-1) letters past ASCII as \ooo
 * octal escapes of their Latin-1 value, else the UTF-8 bytes as they are.
 */
static void
put_string(FILE *f, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	bool latin1 = true;

	for (size_t i = 0; p[i] != '\0'; i++) {
		if (p[i] < 0x80)
			continue;
		if ((p[i] == 0xc2 || p[i] == 0xc3) && (p[i + 1] & 0xc0) == 0x80)
			i++;
		else
			latin1 = false;
	}
	fputc('"', f);
	for (size_t i = 0; p[i] != '\0'; i++) {
		unsigned c = p[i];
		if (latin1 && (c == 0xc2 || c == 0xc3) && p[i + 1] != '\0') {
			c = (c & 0x03) << 6 | (p[++i] & 0x3f);
			fprintf(f, "\\%03o", c);
		} else if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (c < 0x20 || c == 0x7f)
			fprintf(f, "\\%03o", c);
		else
			fputc((int)c, f);
	}
	fputc('"', f);
}

static void
put_cdtext(FILE *f, const struct optimg_cdtext *ct, bool track,
    const char *indent)
{
	fprintf(f, "%s  LANGUAGE 0 {\n", indent);
	for (unsigned k = 0; k < OPTIMG_CDTEXT_NFIELDS; k++) {
		const char *name = optimg_cdtext_field_name(k);
		if (ct->field[k] == NULL)
			continue;
		/* Pack 0x8E is UPC/EAN for the disc, ISRC for a track. */
		if (k == OPTIMG_CDTEXT_UPC_EAN)
			name = track ? "ISRC" : "UPC_EAN";
		fprintf(f, "%s    %s ", indent, name);
		put_string(f, ct->field[k]);
		fputc('\n', f);
	}
	fprintf(f, "%s  }\n", indent);
}

static void
put_header(FILE *f, const struct optimg_disc *d, bool cdtext)
{
	const char *type = "CD_DA";

	for (unsigned i = 0; i < d->ntracks; i++) {
		if (d->tracks[i].mode == OPTIMG_TRACK_CDI)
			type = "CD_I";
		else if (d->tracks[i].mode == OPTIMG_TRACK_MODE2 &&
		    strcmp(type, "CD_I") != 0)
			type = "CD_ROM_XA";
		else if (d->tracks[i].mode == OPTIMG_TRACK_MODE1 &&
		    strcmp(type, "CD_DA") == 0)
			type = "CD_ROM";
	}
	fprintf(f, "// written by optimg\n%s\n", type);
	if (d->catalog[0] != '\0')
		fprintf(f, "CATALOG \"%.13s\"\n", d->catalog);
	if (d->tracks[0].number != 1)
		fprintf(f, "FIRST_TRACK_NO %u\n", d->tracks[0].number);
	if (cdtext) {
		fputs("CD_TEXT {\n  LANGUAGE_MAP {\n    0 : EN\n  }\n", f);
		put_cdtext(f, &d->cdtext, false, "");
		fputs("}\n", f);
	}
}

static void
put_flags(FILE *f, const struct optimg_track *t, bool cdtext)
{
	bool audio = t->mode == OPTIMG_TRACK_AUDIO;

	fprintf(f, "%sCOPY\n", t->flags & OPTIMG_FLAG_DCP ? "" : "NO ");
	if (audio) {
		fprintf(f, "%sPRE_EMPHASIS\n", t->flags & OPTIMG_FLAG_PRE ?
		    "" : "NO ");
		fprintf(f, "%s_CHANNEL_AUDIO\n", t->flags & OPTIMG_FLAG_4CH ?
		    "FOUR" : "TWO");
	}
	if (t->isrc[0] != '\0')
		fprintf(f, "ISRC \"%.12s\"\n", t->isrc);
	if (cdtext && oi_cdtext_any(&t->cdtext)) {
		fputs("CD_TEXT {\n", f);
		put_cdtext(f, &t->cdtext, true, "");
		fputs("}\n", f);
	}
}

static void
put_track(FILE *f, const struct toc_job *job, unsigned i, bool cdtext)
{
	const struct optimg_track *t = &job->so.disc->tracks[i];
	const char *mode, *zero = t->mode == OPTIMG_TRACK_AUDIO ? "SILENCE" :
	    "ZERO";
	unsigned size = toc_block(t, &mode);
	uint32_t stored = oi_track_stored_count(t);
	/* Sectors before LBA 0 (a DAO NRG's track 1) are in no file, as in
	   a cue's bin: START counts from the first one written. */
	uint32_t stored_pregap = (uint32_t)(t->start -
	    oi_track_stored_first(t));
	bool swap = t->mode == OPTIMG_TRACK_AUDIO && !t->subchannel;

	fprintf(f, "\n// Track %u\nTRACK %s\n", t->number, mode);
	put_flags(f, t, cdtext);
	if (t->pregap_unstored > 0 && stored_pregap == 0) {
		fputs("PREGAP ", f);
		put_msf(f, t->pregap_unstored);
		fputc('\n', f);
	} else if (t->pregap_unstored > 0) {
		fprintf(f, "%s ", zero);
		put_msf(f, t->pregap_unstored);
		fputc('\n', f);
	}
	if (stored > 0) {	/* a length of 0 would mean the whole file */
		fputs(swap ? "FILE " : "DATAFILE ", f);
		put_string(f, job->so.names[i]);
		fprintf(f, swap ? " SWAP #%llu 0 " : " #%llu ",
		    (unsigned long long)job->offset[i]);
		put_msf(f, stored);
		fprintf(f, " // %llu bytes\n", (unsigned long long)stored *
		    size);
	}
	if (t->postgap_unstored > 0) {
		fprintf(f, "%s ", zero);
		put_msf(f, t->postgap_unstored);
		fputc('\n', f);
	}
	if (stored_pregap > 0) {
		fputs("START ", f);
		put_msf(f, t->pregap_unstored + stored_pregap);
		fputc('\n', f);
	}
	for (unsigned k = 2; k < OPTIMG_MAX_INDEX; k++)
		if (t->index[k] != OPTIMG_NO_INDEX) {
			fputs("INDEX ", f);
			put_msf(f, (uint32_t)(t->index[k] - t->start));
			fputc('\n', f);
		}
}

static int
sheet_text(const struct toc_job *job, bool lossy, char **text, size_t *len,
    struct optimg_error *err)
{
	const struct optimg_disc *d = job->so.disc;
	bool cdtext = oi_disc_cdtext_any(d);
	FILE *f = open_memstream(text, len);

	(void)lossy;	/* a TOC holds everything convert.c lets through */
	if (f == NULL)
		return oi_set_error(err, OPTIMG_ENOMEM, "out of memory");
	put_header(f, d, cdtext);
	for (unsigned i = 0; i < d->ntracks; i++)
		put_track(f, job, i, cdtext);
	if (fclose(f) != 0) {
		free(*text);
		*text = NULL;
		return oi_set_error(err, OPTIMG_ENOMEM, "out of memory");
	}
	return OPTIMG_OK;
}

/* File names, which outfile each track goes to and at which byte. */
static int
plan(struct toc_job *job, bool split, struct optimg_error *err)
{
	struct oi_sheet_out *so = &job->so;
	const struct optimg_disc *d = so->disc;
	uint64_t at = 0;

	job->offset = oi_calloc(d->ntracks, sizeof(*job->offset));
	if (job->offset == NULL)
		return oi_set_error(err, OPTIMG_ENOMEM, "out of memory");
	for (unsigned i = 0; i < d->ntracks; i++) {
		const char *mode;
		size_t n = strlen(so->base) + 5;

		if (split)
			so->names[i] = oi_redump_track_name(so->base, d, i);
		else if ((so->names[i] = malloc(n)) != NULL)
			snprintf(so->names[i], n, "%s.bin", so->base);
		if (so->names[i] == NULL)
			return oi_set_error(err, OPTIMG_ENOMEM, "out of memory");
		so->file_of[i] = split ? i : 0;
		job->offset[i] = split ? 0 : at;
		at += (uint64_t)oi_track_stored_count(&d->tracks[i]) *
		    toc_block(&d->tracks[i], &mode);
		so->prog.total = at;
	}
	return OPTIMG_OK;
}

static unsigned
toc_size(const struct optimg_track *t)
{
	const char *mode;

	return toc_block(t, &mode);
}

static int
write_toc(struct optimg_image *img, const char *out,
    const struct optimg_convert_opts *opts, struct optimg_error *err)
{
	struct toc_job job = { .offset = NULL };
	char *text = NULL;
	size_t len = 0;
	int rc;

	if (img->disc.ntracks == 0 || img->disc.nsessions != 1)
		return oi_set_error(err, OPTIMG_EUNSUPP, "a cdrdao TOC of %u "
		    "sessions is not written yet", img->disc.nsessions);
	rc = oi_sheet_out_init(&job.so, img, out, ".toc",
	    opts->split ? img->disc.ntracks : 1, opts, err);
	if (rc == OPTIMG_OK)
		rc = plan(&job, opts->split, err);
	if (rc == OPTIMG_OK)
		rc = oi_sheet_out_copy(&job.so, out, opts->force, toc_size, err);
	if (rc == OPTIMG_OK)
		rc = sheet_text(&job, opts->lossy, &text, &len, err);
	if (rc == OPTIMG_OK)
		rc = oi_sheet_out_commit(&job.so, text, len, err);
	free(text);
	free(job.offset);
	oi_sheet_out_free(&job.so);
	return rc;
}

static const char *const toc_extensions[] = { ".toc", NULL };

const struct oi_writer oi_writer_toc = {
	.name = "toc",
	.alias = "cdrdao",
	.description = "a cdrdao TOC",
	.extensions = toc_extensions,
	.holds = OI_HOLDS_TRACKS | OI_HOLDS_CDTEXT | OI_HOLDS_CODES |
	    OI_HOLDS_SUB,
	.write = write_toc,
};
