/*
 * chd_meta.c - our lossless tag 'OPTI' (doc/chd.md): what a CHD's standard
 * metadata cannot say about the cue sheet it was made from.
 *
 * chdman keeps a track list only; split-bin file names, INDEX 00 and
 * 02-99 positions, CD-TEXT, ISRC, CATALOG, FLAGS and REM lines are lost
 * (mame issues #5867, #10308, #12805, #15214).  The tag keeps the cue
 * sheet itself and the size of every file it names:
 *
 *   optimg-cue 1\n
 *   file SIZE NAME\n          one line per FILE, in the sheet's order
 *   cue LENGTH\n
 *   <the sheet's LENGTH bytes, as they were>
 *
 * The files, one after the other, are exactly the CHD's tracks' stored
 * frames cut to their data size (audio in the file's byte order), so the
 * sheet can be laid out over the CHD as over the original files, and the
 * set written back byte for byte.  The tag goes without the checksum flag:
 * the CHD's overall SHA-1 stays the one chdman computes for the same disc.
 * A tag that does not fit the CHD is ignored (the tracks still read).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chd.h"
#include "convert.h"

#define TAG_MAGIC	"optimg-cue 1\n"
#define CUE_MAX		(1024u * 1024)

struct lossless {
	unsigned	 nfiles;
	uint64_t	*size;
	char		**name;
	const char	*cue;
	size_t		 cue_len;
};

static void
lossless_release(struct lossless *l)
{
	for (unsigned i = 0; l->name != NULL && i < l->nfiles; i++)
		free(l->name[i]);
	free(l->name);
	free(l->size);
	memset(l, 0, sizeof(*l));
}

/* A file name we will create beside the cue: no paths, no controls. */
static bool
safe_name(const char *s)
{
	if (*s == '\0' || strcmp(s, ".") == 0 || strcmp(s, "..") == 0)
		return false;
	for (; *s != '\0'; s++)
		if (*s == '/' || *s == '\\' || (unsigned char)*s < 0x20)
			return false;
	return true;
}

static int
parse_tag(const struct chd_meta *m, struct lossless *l)
{
	const char *p = (const char *)m->data, *end = p + m->len;

	memset(l, 0, sizeof(*l));
	if (m->len < strlen(TAG_MAGIC) ||
	    memcmp(p, TAG_MAGIC, strlen(TAG_MAGIC)) != 0)
		return -1;
	p += strlen(TAG_MAGIC);
	while (p < end && strncmp(p, "file ", 5) == 0) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		char *sp;
		if (nl == NULL || l->nfiles >= 99 * 2)
			return -1;
		unsigned long long size = strtoull(p + 5, &sp, 10);
		if (sp == p + 5 || *sp != ' ' || sp >= nl)
			return -1;
		char **nn = realloc(l->name, (l->nfiles + 1) * sizeof(*nn));
		uint64_t *ns = nn == NULL ? NULL :
		    realloc(l->size, (l->nfiles + 1) * sizeof(*ns));
		if (nn != NULL)
			l->name = nn;
		if (ns == NULL)
			return -1;
		l->size = ns;
		l->name[l->nfiles] = strndup(sp + 1, (size_t)(nl - sp - 1));
		l->size[l->nfiles] = size;
		if (l->name[l->nfiles++] == NULL)
			return -1;
		p = nl + 1;
	}
	if (end - p < 5 || strncmp(p, "cue ", 4) != 0)
		return -1;
	char *sp;
	unsigned long long len = strtoull(p + 4, &sp, 10);
	if (sp == p + 4 || sp >= end || *sp != '\n' ||
	    len != (unsigned long long)(end - sp - 1) || l->nfiles == 0)
		return -1;
	l->cue = sp + 1;
	l->cue_len = (size_t)len;
	return 0;
}

/* ---- reading ------------------------------------------------------------ */

static void
reset_image(struct optimg_image *img)
{
	oi_disc_release(&img->disc);
	memset(&img->disc, 0, sizeof(img->disc));
	free(img->frags);
	img->frags = NULL;
	img->nfrags = 0;
	img->last_frag = 0;
}

static int
layout(struct lossless *l, struct optimg_image *img, uint64_t bin_size)
{
	struct oi_cue_sheet *sheet = NULL;
	struct optimg_error e;
	unsigned *streams = calloc(l->nfiles, sizeof(*streams));
	uint64_t *start = calloc(l->nfiles, sizeof(*start)), total = 0;
	int rc = -1;

	if (streams == NULL || start == NULL)
		goto out;
	for (unsigned i = 0; i < l->nfiles; i++) {
		start[i] = total;
		total += l->size[i];
		if (total < l->size[i])
			goto out;
	}
	if (total != bin_size ||
	    oi_cue_parse(l->cue, l->cue_len, &sheet, &e) < 0 ||
	    sheet->nfiles != l->nfiles)
		goto out;
	for (unsigned i = 0; i < l->nfiles; i++)
		if (strcmp(sheet->files[i].name, l->name[i]) != 0 ||
		    (sheet->files[i].type != OI_CUE_BINARY &&
		    sheet->files[i].type != OI_CUE_MOTOROLA))
			goto out;
	/* Stream 0 is the CHD file; fragments then read through the CHD. */
	if (oi_cue_layout(sheet, img, streams, start, l->size) < 0)
		goto out;
	for (unsigned i = 0; i < img->nfrags; i++)
		if (img->frags[i].fill == OI_FILL_FILE)
			img->frags[i].fill = OI_FILL_CALLBACK;
	rc = 0;
out:
	oi_cue_free(sheet);
	free(streams);
	free(start);
	return rc;
}

int
oi_chd_lossless_layout(struct oi_chd *chd, struct optimg_image *img,
    uint64_t bin_size)
{
	const struct chd_meta *m = oi_chd_meta(chd, CHD_META_OPTIMG, 0);
	struct lossless l;
	int rc;

	if (m == NULL)
		return OPTIMG_ENOENT;
	if (parse_tag(m, &l) < 0 || layout(&l, img, bin_size) < 0) {
		reset_image(img);
		oi_error_clear(&img->err);
		oi_image_warn(img, "'%s': its optimg tag does not fit the CHD; "
		    "reading the tracks as chdman does", img->path);
		rc = OPTIMG_ENOENT;
	} else
		rc = OPTIMG_OK;
	lossless_release(&l);
	return rc;
}

/* ---- writing the tag ------------------------------------------------------ */

static uint64_t
bin_bytes(const struct optimg_disc *d)
{
	uint64_t n = 0;

	for (unsigned i = 0; i < d->ntracks; i++)
		n += (uint64_t)oi_track_stored_count(&d->tracks[i]) *
		    d->tracks[i].sector_size;
	return n;
}

/* Why img's cue cannot be kept byte for byte, or NULL when it can. */
static const char *
unkeepable(const struct optimg_image *img, const struct oi_cue_sheet *s)
{
	uint64_t files = 0;

	if (s->nfiles != img->nstreams)
		return "it names one file twice";
	if (s->cdtextfile != NULL)
		return "its CD-TEXT is in a CDTEXTFILE, which the tag does "
		    "not keep";
	for (unsigned i = 0; i < s->nfiles; i++) {
		if (s->files[i].type != OI_CUE_BINARY &&
		    s->files[i].type != OI_CUE_MOTOROLA)
			return "it has WAVE files";
		if (!safe_name(s->files[i].name))
			return "a FILE name has a directory in it";
		files += img->streams[i].size;
	}
	for (unsigned i = 0; i < img->disc.ntracks; i++)
		if (img->disc.tracks[i].sector_size != 2048 &&
		    img->disc.tracks[i].sector_size != 2336 &&
		    img->disc.tracks[i].sector_size != 2352)
			return "a track has subchannel data";
	if (files != bin_bytes(&img->disc))
		return "its files hold bytes outside the tracks";
	return NULL;
}

static char *
tag_text(const struct oi_cue_sheet *s, const struct optimg_image *img,
    const char *cue, size_t len, size_t *out_len)
{
	char *text = NULL;
	size_t n = 0;
	FILE *f = open_memstream(&text, &n);

	if (f == NULL)
		return NULL;
	fputs(TAG_MAGIC, f);
	for (unsigned i = 0; i < s->nfiles; i++)
		fprintf(f, "file %llu %s\n",
		    (unsigned long long)img->streams[i].size, s->files[i].name);
	fprintf(f, "cue %zu\n", len);
	fwrite(cue, 1, len, f);
	if (fclose(f) != 0) {
		free(text);
		return NULL;
	}
	*out_len = n;
	return text;
}

/*
 * Why the sheet img was read from cannot go into our tag, or NULL when it
 * can.  Without the tag a CHD keeps only what chdman keeps.
 */
const char *
oi_chd_sheet_unkeepable(const struct optimg_image *img)
{
	struct oi_cue_sheet *sheet = NULL;
	struct optimg_error e;
	const char *why;
	char *cue = NULL;
	size_t len = 0;

	if (img->format != &oi_format_cue)
		return "it was not read from a cue sheet";
	if (oi_read_small_file(img->path, CUE_MAX, &cue, &len, &e) < 0 ||
	    oi_cue_parse(cue, len, &sheet, &e) < 0)
		why = "the sheet cannot be read again";
	else
		why = unkeepable(img, sheet);
	free(cue);
	oi_cue_free(sheet);
	return why;
}

int
oi_chd_lossless_meta(struct optimg_image *img, struct chd_meta **meta,
    unsigned *nmeta, struct optimg_error *err)
{
	struct oi_cue_sheet *sheet = NULL;
	struct optimg_error e;
	const char *why;
	char *cue = NULL, *text = NULL;
	size_t len = 0, tlen = 0;
	struct chd_meta *m;
	int rc = OPTIMG_OK;

	if (img->format != &oi_format_cue)
		return OPTIMG_OK;
	if (oi_read_small_file(img->path, CUE_MAX, &cue, &len, &e) < 0 ||
	    oi_cue_parse(cue, len, &sheet, &e) < 0) {
		why = "the sheet cannot be read again";
	} else
		why = unkeepable(img, sheet);
	if (why != NULL) {
		oi_image_warn(img, "'%s': %s, so the CHD keeps only what chdman "
		    "keeps (tracks, not the cue's own text)", img->path, why);
		goto out;
	}
	text = tag_text(sheet, img, cue, len, &tlen);
	m = text == NULL || tlen > 0xffffff ? NULL :
	    oi_reallocarray(*meta, *nmeta + 1, sizeof(**meta));
	if (m == NULL) {
		if (tlen > 0xffffff)
			oi_image_warn(img, "'%s': the sheet is too long to keep "
			    "in the CHD", img->path);
		else
			rc = oi_set_error(err, OPTIMG_ENOMEM, "out of memory");
		goto out;
	}
	*meta = m;
	m[*nmeta] = (struct chd_meta){ .tag = CHD_META_OPTIMG, .flags = 0,
	    .data = (uint8_t *)text, .len = (uint32_t)tlen };
	(*nmeta)++;
	text = NULL;
out:
	free(text);
	free(cue);
	oi_cue_free(sheet);
	return rc;
}

/* ---- writing the original set ------------------------------------------- */

struct orig_job {
	struct optimg_image	*img;
	struct lossless		 l;
	struct oi_outfile	*of;	/* nfiles bins, then the cue */
	struct oi_progress	 prog;
	char			*dir;
	enum oi_pack_kind	 pack;	/* the files', the cue stays text */
	const char		*suffix;	/* ".xz" ..., or NULL */
};

static int
write_bins(struct orig_job *j, const struct oi_cue_sheet *s,
    struct optimg_error *err)
{
	size_t chunk = (size_t)1 << 20;
	uint8_t *buf = malloc(chunk);
	uint64_t off = 0;
	int rc = OPTIMG_OK;

	if (buf == NULL)
		return oi_set_error(err, OPTIMG_ENOMEM, "out of memory");
	for (unsigned i = 0; i < j->l.nfiles && rc == OPTIMG_OK; i++) {
		bool be = s->files[i].type == OI_CUE_MOTOROLA;
		for (uint64_t left = j->l.size[i]; left > 0 && rc == 0;) {
			size_t n = (size_t)OI_MIN(left, (uint64_t)chunk);
			rc = oi_chd_bin_read(j->img, off, buf, n, be, err);
			if (rc == OPTIMG_OK)
				rc = oi_outfile_write(&j->of[i], buf, n, err);
			if (rc == OPTIMG_OK)
				rc = oi_progress_add(&j->prog, n, err);
			off += n;
			left -= n;
		}
		if (rc == OPTIMG_OK)
			rc = oi_outfile_finish(&j->of[i], err);
	}
	free(buf);
	return rc;
}

/* dir/name, packed files with their suffix ("x.bin.xz"). */
static char *
file_path(const struct orig_job *j, const char *name)
{
	char *path = oi_path_join(j->dir, name), *p;
	size_t n;

	if (path == NULL || j->suffix == NULL)
		return path;
	n = strlen(path) + strlen(j->suffix) + 1;
	if ((p = malloc(n)) != NULL)
		snprintf(p, n, "%s%s", path, j->suffix);
	free(path);
	return p;
}

static int
open_outputs(struct orig_job *j, const char *out, bool force,
    unsigned level, struct optimg_error *err)
{
	char *base = NULL;

	OI_TRY(oi_output_split(out, ".cue", &j->dir, &base, err));
	free(base);
	for (unsigned i = 0; i < j->l.nfiles; i++) {
		char *p = file_path(j, j->l.name[i]);
		int rc;
		if (p == NULL)
			return oi_set_error(err, OPTIMG_ENOMEM, "out of memory");
		rc = oi_check_not_input(j->img, p, err);
		for (unsigned k = 0; rc == 0 && k < i; k++)
			if (strcmp(j->l.name[k], j->l.name[i]) == 0)
				rc = oi_set_error(err, OPTIMG_EFORMAT,
				    "the CHD's tag names '%s' twice", p);
		if (rc == 0)
			rc = oi_outfile_open(&j->of[i], p, force, err);
		if (rc == 0)
			rc = oi_outfile_pack(&j->of[i], j->pack, level, err);
		free(p);
		OI_TRY(rc);
	}
	OI_TRY(oi_check_not_input(j->img, out, err));
	return oi_outfile_open(&j->of[j->l.nfiles], out, force, err);
}

int
oi_chd_write_original(struct optimg_image *img, const char *out,
    const struct optimg_convert_opts *opts, enum oi_pack_kind pack,
    const char *suffix, struct optimg_error *err)
{
	struct oi_chd *chd = oi_chd_of_image(img);
	const struct chd_meta *m = chd != NULL ?
	    oi_chd_meta(chd, CHD_META_OPTIMG, 0) : NULL;
	struct oi_cue_sheet *sheet = NULL;
	struct orig_job j = { .img = img, .pack = pack, .suffix = suffix };
	struct optimg_error e;
	int rc;

	if (m == NULL || opts->split || parse_tag(m, &j.l) < 0 ||
	    oi_cue_parse(j.l.cue, j.l.cue_len, &sheet, &e) < 0 ||
	    sheet->nfiles != j.l.nfiles) {
		lossless_release(&j.l);
		oi_cue_free(sheet);
		return OPTIMG_ENOENT;
	}
	for (unsigned i = 0; i < j.l.nfiles; i++)
		if (!safe_name(j.l.name[i])) {
			lossless_release(&j.l);
			oi_cue_free(sheet);
			return OPTIMG_ENOENT;
		}
	j.prog.fn = opts->progress;
	j.prog.ctx = opts->progress_ctx;
	for (unsigned i = 0; i < j.l.nfiles; i++)
		j.prog.total += j.l.size[i];
	j.of = calloc(j.l.nfiles + 1, sizeof(*j.of));
	if (j.of == NULL)
		rc = oi_set_error(err, OPTIMG_ENOMEM, "out of memory");
	else {
		for (unsigned i = 0; i <= j.l.nfiles; i++)
			j.of[i].fd = -1;
		rc = open_outputs(&j, out, opts->force, opts->level, err);
	}
	if (rc == OPTIMG_OK)
		rc = write_bins(&j, sheet, err);
	if (rc == OPTIMG_OK)
		rc = oi_outfile_write(&j.of[j.l.nfiles], j.l.cue, j.l.cue_len,
		    err);
	if (rc == OPTIMG_OK)
		rc = oi_outfile_finish(&j.of[j.l.nfiles], err);
	if (rc == OPTIMG_OK) {
		struct oi_outfile **v = calloc(j.l.nfiles + 1, sizeof(*v));
		for (unsigned i = 0; v != NULL && i <= j.l.nfiles; i++)
			v[i] = &j.of[i];
		rc = v == NULL ? oi_set_error(err, OPTIMG_ENOMEM,
		    "out of memory") : oi_outfile_commit_all(v,
		    j.l.nfiles + 1, err);
		free(v);
	}
	for (unsigned i = 0; j.of != NULL && i <= j.l.nfiles; i++)
		oi_outfile_abort(&j.of[i]);
	free(j.of);
	free(j.dir);
	oi_cue_free(sheet);
	lossless_release(&j.l);
	return rc;
}
