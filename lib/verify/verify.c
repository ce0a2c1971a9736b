/*
 * verify.c - optimg_verify(): per-track hashes as Redump computes them,
 * EDC/ECC of every stored data sector, and the match against a DAT.
 *
 * Redump hashes each track's bin of a split dump, so a track is hashed as
 * `optimg convert --split` would write it: its stored sectors (pregap
 * included, unstored PREGAP/POSTGAP not) at the sector size a bin of it
 * holds.  A merged bin therefore gives the same hashes as the split one.
 * An ISO is hashed as the whole file.
 *
 * Data sectors are checked raw (sync, header address, EDC, ECC) from
 * INDEX 01 on; in a pregap only sectors that carry a sync pattern are,
 * since a data track's pregap may be stored as audio-like silence.
 */
#include "config.h"

#include <libgen.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "convert.h"
#include "rip.h"

#define DAT_MAX_BYTES	(256u << 20)

struct verify {
	struct optimg_image		*img;
	const struct optimg_verify_opts	*opts;
	struct optimg_error		*err;
	struct optimg_verify_result	*res;
	struct oi_progress		 prog;
	uint8_t				*buf;
	uint8_t				*raw;
};

/* Bytes a sector of track t takes in its bin (write_cue.c's rule). */
static unsigned
bin_size(const struct optimg_image *img, const struct optimg_track *t)
{
	(void)img;
	return oi_track_out_size(t);
}

static bool
has_sync(const uint8_t *raw)
{
	static const uint8_t sync[12] = { 0, 0xff, 0xff, 0xff, 0xff, 0xff,
	    0xff, 0xff, 0xff, 0xff, 0xff, 0 };

	return memcmp(raw, sync, sizeof(sync)) == 0;
}

static int
note_bad(struct verify *v, int32_t lba, unsigned track, unsigned bad)
{
	struct optimg_verify_result *res = v->res;

	res->nbad++;
	if (res->nlisted == OPTIMG_VERIFY_LISTED)
		return OPTIMG_OK;
	if (res->bad == NULL) {
		res->bad = calloc(OPTIMG_VERIFY_LISTED, sizeof(*res->bad));
		if (res->bad == NULL)
			return oi_set_error(v->err, OPTIMG_ENOMEM,
			    "out of memory");
	}
	res->bad[res->nlisted++] = (struct optimg_verify_sector){ lba, track,
	    bad };
	return OPTIMG_OK;
}

/* EDC/ECC of n raw sectors (stride bytes apart) of track t from lba. */
static int
check_sectors(struct verify *v, unsigned ti, int32_t lba, uint32_t n,
    const uint8_t *raw, size_t stride)
{
	const struct optimg_track *t = &v->img->disc.tracks[ti];
	struct optimg_verify_track *vt = &v->res->tracks[ti];

	for (uint32_t i = 0; i < n; i++, lba++, raw += stride) {
		unsigned bad;

		if (lba < t->start && !has_sync(raw))
			continue;
		vt->checked++;
		bad = optimg_sector_check(raw, lba);
		if (bad != 0) {
			vt->bad++;
			OI_TRY(note_bad(v, lba, t->number, bad));
		}
	}
	return OPTIMG_OK;
}

static int
image_read(struct verify *v, int32_t lba, uint32_t n, unsigned size,
    uint8_t *buf)
{
	if (optimg_image_read(v->img, lba, n, size, buf) < 0) {
		*v->err = v->img->err;
		return v->err->code;
	}
	return OPTIMG_OK;
}

static int
track_pass(struct verify *v, unsigned ti, struct oi_hash *h)
{
	const struct optimg_track *t = &v->img->disc.tracks[ti];
	unsigned size = bin_size(v->img, t);
	bool data = t->mode != OPTIMG_TRACK_AUDIO && size != OPTIMG_USER_SECTOR;
	int32_t lba = oi_track_stored_first(t);
	uint32_t left = oi_track_stored_count(t);

	while (left > 0) {
		uint32_t n = OI_MIN(left, OI_CONVERT_CHUNK);

		OI_TRY(image_read(v, lba, n, size, v->buf));
		oi_hash_update(h, v->buf, (size_t)n * size);
		if (data && size == OPTIMG_MODE2_SECTOR) {
			OI_TRY(image_read(v, lba, n, OPTIMG_RAW_SECTOR, v->raw));
			OI_TRY(check_sectors(v, ti, lba, n, v->raw,
			    OPTIMG_RAW_SECTOR));
		} else if (data)
			OI_TRY(check_sectors(v, ti, lba, n, v->buf, size));
		OI_TRY(oi_progress_add(&v->prog, (uint64_t)n * size, v->err));
		lba += (int32_t)n;
		left -= n;
	}
	return OPTIMG_OK;
}

static int
hash_track(struct verify *v, unsigned ti)
{
	struct oi_hash h;
	int rc;

	OI_TRY(oi_hash_init(&h, v->err));
	rc = track_pass(v, ti, &h);
	if (rc < 0) {
		oi_hash_release(&h);
		return rc;
	}
	oi_hash_final(&h, &v->res->tracks[ti].hashes);
	return OPTIMG_OK;
}

/* "dir/Game.cue" -> "Game" */
static char *
image_base(const char *path)
{
	char *copy = strdup(path), *base, *dot, *out;

	if (copy == NULL)
		return NULL;
	base = basename(copy);
	dot = strrchr(base, '.');
	if (dot != NULL && dot != base)
		*dot = '\0';
	out = strdup(base);
	free(copy);
	return out;
}

static int
name_tracks(struct verify *v)
{
	const struct optimg_disc *d = &v->img->disc;
	char *base = image_base(v->img->path != NULL ? v->img->path : "image");

	if (base == NULL)
		return oi_set_error(v->err, OPTIMG_ENOMEM, "out of memory");
	for (unsigned i = 0; i < d->ntracks; i++) {
		struct optimg_verify_track *vt = &v->res->tracks[i];
		char *copy;

		vt->number = d->tracks[i].number;
		if (v->res->whole_file) {
			copy = strdup(v->img->path);
			vt->name = copy != NULL ? strdup(basename(copy)) : NULL;
			free(copy);
		} else
			vt->name = oi_redump_track_name(base, d, i);
		if (vt->name == NULL) {
			free(base);
			return oi_set_error(v->err, OPTIMG_ENOMEM,
			    "out of memory");
		}
	}
	free(base);
	return OPTIMG_OK;
}

static int
hash_all(struct verify *v)
{
	const struct optimg_disc *d = &v->img->disc;

	v->buf = malloc((size_t)OI_CONVERT_CHUNK * OPTIMG_RAW_SUB_SECTOR);
	v->raw = malloc((size_t)OI_CONVERT_CHUNK * OPTIMG_RAW_SECTOR);
	if (v->buf == NULL || v->raw == NULL)
		return oi_set_error(v->err, OPTIMG_ENOMEM, "out of memory");
	if (v->res->whole_file) {
		v->res->tracks[0].checked = 0;
		return oi_hash_file(v->img->streams[0].path,
		    &v->res->tracks[0].hashes, v->prog.fn, v->prog.ctx,
		    v->err);
	}
	for (unsigned i = 0; i < d->ntracks; i++)
		v->prog.total += (uint64_t)oi_track_stored_count(&d->tracks[i]) *
		    bin_size(v->img, &d->tracks[i]);
	for (unsigned i = 0; i < d->ntracks; i++)
		OI_TRY(hash_track(v, i));
	return OPTIMG_OK;
}

/* ---- DAT matching ---------------------------------------------------------- */

static bool
is_track_rom(const struct oi_dat_rom *r)
{
	size_t n = strlen(r->name);

	return !(n >= 4 && strcasecmp(r->name + n - 4, ".cue") == 0);
}

static bool
rom_matches(const struct oi_dat_rom *r, const struct optimg_hashes *h)
{
	if (r->has_size && r->size != h->size)
		return false;
	if (r->has_crc && r->crc != h->crc32)
		return false;
	if (r->has_md5 && memcmp(r->md5, h->md5, 16) != 0)
		return false;
	if (r->has_sha1 && memcmp(r->sha1, h->sha1, 20) != 0)
		return false;
	return r->has_crc || r->has_md5 || r->has_sha1;
}

/* Pairs roms with tracks by hashes; assign[track] = rom or -1. */
static unsigned
pair_game(const struct optimg_verify_result *res, const struct oi_dat_game *g,
    int *assign)
{
	unsigned score = 0;

	for (unsigned i = 0; i < res->ntracks; i++)
		assign[i] = -1;
	for (unsigned k = 0; k < g->nroms; k++) {
		if (!is_track_rom(&g->roms[k]))
			continue;
		for (unsigned i = 0; i < res->ntracks; i++)
			if (assign[i] < 0 &&
			    rom_matches(&g->roms[k], &res->tracks[i].hashes)) {
				assign[i] = (int)k;
				score++;
				break;
			}
	}
	return score;
}

static unsigned
track_roms(const struct oi_dat_game *g)
{
	unsigned n = 0;

	for (unsigned k = 0; k < g->nroms; k++)
		n += is_track_rom(&g->roms[k]);
	return n;
}

/* The number N of "... (Track N).bin", or 0. */
static unsigned
track_number_of(const char *name)
{
	const char *p = strstr(name, "(Track ");
	unsigned n = 0;

	if (p == NULL)
		return 0;
	for (p += 7; *p >= '0' && *p <= '9' && n < 1000; p++)
		n = n * 10 + (unsigned)(*p - '0');
	return *p == ')' ? n : 0;
}

static const struct oi_dat_game *
best_game(const struct oi_dat *dat, const struct optimg_verify_result *res,
    int *assign)
{
	const struct oi_dat_game *best = NULL;
	unsigned best_score = 0;

	for (unsigned g = 0; g < dat->ngames; g++) {
		unsigned score = pair_game(res, &dat->games[g], assign);
		bool same_count = track_roms(&dat->games[g]) == res->ntracks;
		if (score > best_score || (score == best_score && score > 0 &&
		    same_count && track_roms(best) != res->ntracks)) {
			best = &dat->games[g];
			best_score = score;
		}
	}
	if (best != NULL)
		return best;
	/* No hash matches: a game with a rom of one of our names is closest. */
	for (unsigned g = 0; g < dat->ngames; g++)
		for (unsigned k = 0; k < dat->games[g].nroms; k++)
			for (unsigned i = 0; i < res->ntracks; i++)
				if (strcmp(dat->games[g].roms[k].name,
				    res->tracks[i].name) == 0)
					return &dat->games[g];
	return NULL;
}

static void
rom_hashes(const struct oi_dat_rom *r, struct optimg_hashes *h)
{
	memset(h, 0, sizeof(*h));
	h->size = r->size;
	h->crc32 = r->crc;
	memcpy(h->md5, r->md5, 16);
	memcpy(h->sha1, r->sha1, 20);
}

/* The unpaired rom that stands for track i: same name, same number, or
 * the only one left. */
static int
rom_for_track(const struct oi_dat_game *g, const struct optimg_verify_track
    *vt, const bool *used)
{
	int only = -1, count = 0;

	for (unsigned k = 0; k < g->nroms; k++) {
		const struct oi_dat_rom *r = &g->roms[k];
		if (used[k] || !is_track_rom(r))
			continue;
		if (strcmp(r->name, vt->name) == 0 ||
		    track_number_of(r->name) == vt->number)
			return (int)k;
		only = (int)k;
		count++;
	}
	return count == 1 && track_number_of(g->roms[only].name) == 0 ?
	    only : -1;
}

static int
compare_game(struct verify *v, const struct oi_dat_game *g, int *assign)
{
	struct optimg_verify_result *res = v->res;
	bool *used = calloc(g->nroms + 1, sizeof(*used));
	unsigned matched = 0;

	if (used == NULL)
		return oi_set_error(v->err, OPTIMG_ENOMEM, "out of memory");
	if ((res->dat_game = strdup(g->name)) == NULL) {
		free(used);
		return oi_set_error(v->err, OPTIMG_ENOMEM, "out of memory");
	}
	pair_game(res, g, assign);
	for (unsigned i = 0; i < res->ntracks; i++)
		if (assign[i] >= 0)
			used[assign[i]] = true;
	for (unsigned i = 0; i < res->ntracks; i++) {
		struct optimg_verify_track *vt = &res->tracks[i];
		int k = assign[i] >= 0 ? assign[i] : rom_for_track(g, vt, used);

		vt->dat = assign[i] >= 0 ? OPTIMG_DAT_MATCH :
		    k >= 0 ? OPTIMG_DAT_DIFFERS : OPTIMG_DAT_MISSING;
		matched += vt->dat == OPTIMG_DAT_MATCH;
		if (k < 0)
			continue;
		used[k] = true;
		rom_hashes(&g->roms[k], &vt->dat_hashes);
		if ((vt->dat_rom = strdup(g->roms[k].name)) == NULL) {
			free(used);
			return oi_set_error(v->err, OPTIMG_ENOMEM,
			    "out of memory");
		}
	}
	/* Roms left over: tracks the image lacks. */
	for (unsigned k = 0; k < g->nroms; k++)
		res->dat_unmatched += is_track_rom(&g->roms[k]) && !used[k];
	res->dat_match = matched == res->ntracks && res->dat_unmatched == 0;
	free(used);
	return OPTIMG_OK;
}

/* Between slices of a DAT: the progress callback may ask to stop. */
static int
dat_cancel(void *ctx)
{
	struct oi_progress *p = ctx;

	return p->fn != NULL && p->fn(p->ctx, p->done, p->total) != 0;
}

/* Read first, so that a bad DAT fails before the long hashing. */
static int
load_dat(struct verify *v, struct oi_dat **dat)
{
	char *text = NULL;
	size_t len = 0;
	int rc;

	OI_TRY(oi_read_file_until(v->opts->dat_path, DAT_MAX_BYTES, dat_cancel,
	    &v->prog, &text, &len, v->err));
	rc = oi_dat_parse(text, len, dat, dat_cancel, &v->prog, v->err);
	free(text);
	if (rc < 0 && rc != OPTIMG_ECANCELED) {
		char msg[OPTIMG_ERRMSG_MAX];
		snprintf(msg, sizeof(msg), "%s", v->err->message);
		return oi_set_error(v->err, rc, "'%s' %s", v->opts->dat_path,
		    msg);
	}
	return rc;
}

static int
match_dat(struct verify *v, const struct oi_dat *dat)
{
	const struct oi_dat_game *g;
	int *assign, rc;

	assign = calloc(v->res->ntracks, sizeof(*assign));
	if (assign == NULL)
		return oi_set_error(v->err, OPTIMG_ENOMEM, "out of memory");
	g = best_game(dat, v->res, assign);
	rc = g != NULL ? compare_game(v, g, assign) : OPTIMG_OK;
	free(assign);
	return rc;
}

/* ---- entry points ---------------------------------------------------------- */

int
optimg_verify(struct optimg_image *img, const struct optimg_verify_opts *opts,
    struct optimg_verify_result **out, struct optimg_error *err)
{
	struct verify v = { .img = img, .opts = opts, .err = err };
	struct oi_dat *dat = NULL;
	int rc;

	*out = NULL;
	oi_error_clear(err);
	if (img->format == NULL || img->disc.ntracks == 0)
		return oi_set_error(err, OPTIMG_EINVAL, "the image is not open");
	v.prog.fn = opts->progress;
	v.prog.ctx = opts->progress_ctx;
	v.res = calloc(1, sizeof(*v.res));
	if (v.res == NULL)
		return oi_set_error(err, OPTIMG_ENOMEM, "out of memory");
	v.res->tracks = calloc(img->disc.ntracks, sizeof(*v.res->tracks));
	v.res->ntracks = img->disc.ntracks;
	v.res->whole_file = img->disc.ntracks == 1 && img->nstreams == 1 &&
	    img->disc.tracks[0].storage == OPTIMG_STORE_PLAIN &&
	    oi_stream_plain_fd(&img->streams[0]) >= 0;
	rc = v.res->tracks == NULL ? oi_set_error(err, OPTIMG_ENOMEM,
	    "out of memory") : name_tracks(&v);
	if (rc == OPTIMG_OK && opts->dat_path != NULL)
		rc = load_dat(&v, &dat);
	if (rc == OPTIMG_OK)
		rc = hash_all(&v);
	if (rc == OPTIMG_OK && dat != NULL)
		rc = match_dat(&v, dat);
	oi_dat_free(dat);
	free(v.buf);
	free(v.raw);
	if (rc < 0) {
		optimg_verify_result_free(v.res);
		return rc;
	}
	v.res->ok = v.res->nbad == 0 &&
	    (opts->dat_path == NULL || v.res->dat_match);
	*out = v.res;
	return OPTIMG_OK;
}

void
optimg_verify_result_free(struct optimg_verify_result *res)
{
	if (res == NULL)
		return;
	for (unsigned i = 0; i < res->ntracks && res->tracks != NULL; i++) {
		free(res->tracks[i].name);
		free(res->tracks[i].dat_rom);
	}
	free(res->tracks);
	free(res->bad);
	free(res->dat_game);
	free(res);
}
