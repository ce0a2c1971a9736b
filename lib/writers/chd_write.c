/*
 * chd_write.c - writing a CHD v5 as chdman does: a CD (8 frames of 2448
 * bytes a hunk; codecs cdlz, cdzl, cdfl; CHT2 track metadata; a track's
 * subchannel as raw P-W in the frames' last 96 bytes, SUBTYPE RW_RAW, as
 * chdman stores a cdrdao RW_RAW track) or, from an
 * ISO, a DVD (4096-byte hunks of 2048-byte units; lzma, zlib; "DVD " tag).
 *
 * File layout: header (rewritten at the end, when the map offset and the
 * SHA-1s are known), the metadata chain, the hunks in order, the map.
 * Hunks equal to an earlier one (same SHA-1) are stored as a reference;
 * the others are compressed by every codec that suits them on both cores
 * and the smallest result kept, or stored plainly when none is smaller.
 */
#include "config.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "chd.h"
#include "convert.h"

#define RING_HUNKS	128	/* hunks read ahead of the one written */
#define FILL_HUNKS	16	/* hunks read at once; divides RING_HUNKS */
#define MAX_WORKERS	16
#define HASH_BITS	20

/* A CD CHD's codecs, in the header's order. */
enum { CODEC_CDLZ, CODEC_CDZL, CODEC_CDFL };

struct wtrack {
	struct chd_cd_track	 meta;
	int32_t			 first;		/* first stored LBA */
	uint32_t		 padded;	/* frames incl. padding */
	bool			 try_all;	/* audio LZMA may win on */
};

/* A hunk on its way: read, then compressed by a worker, then written. */
struct slot {
	uint8_t		*data;		/* compressed, 2 * hunk_bytes */
	long		 len;
	unsigned	 type;
	uint32_t	 self;		/* CHD_MAP_SELF: the earlier hunk */
	uint16_t	 crc;
	bool		 has_audio, has_data;	/* frames of each kind */
	bool		 try_all;	/* of a track whose audio LZMA may win */
	bool		 done;		/* under mu */
};

struct cworker {
	struct chd_write	*w;
	pthread_t		 thread;
	struct chd_codec	*codec[4];
};

struct chd_write {
	struct optimg_image	*img;
	struct oi_outfile	 of;
	struct oi_progress	 prog;
	struct optimg_error	*err;
	bool			 dvd, gdrom;
	uint32_t		 codecs[4];
	unsigned		 ncodecs;
	uint32_t		 hunk_bytes, unit_bytes, hunk_count;
	uint64_t		 logical_bytes;
	struct wtrack		*tracks;
	unsigned		 ntracks;
	struct chd_meta		*meta;
	unsigned		 nmeta;
	/* fill cursor */
	unsigned		 cur_track;
	uint32_t		 cur_frame;	/* in the track's padded frames */
	uint8_t			*sectors;	/* read buffer */
	/*
	 * The ring: the main thread reads hunks into it, workers compress
	 * them in order of reading (a slow audio hunk never holds up the
	 * others), and the main thread writes them in order as they are done.
	 */
	uint8_t			*ring;		/* RING_HUNKS hunks */
	struct slot		 slot[RING_HUNKS];
	pthread_mutex_t		 mu;
	pthread_cond_t		 work_cv, done_cv;
	uint32_t		 filled, claimed;	/* under mu */
	bool			 quit;			/* under mu */
	bool			 sync_ok;
	unsigned		 nworkers;
	struct cworker		 worker[MAX_WORKERS];
	EVP_MD_CTX		*raw_sha1;
	uint64_t		 raw_left;
	/* dedupe: SHA-1 prefix -> hunk + 1 */
	uint64_t		*hash_key;
	uint32_t		*hash_val;
	/* the map */
	uint8_t			*map_type;
	uint32_t		*map_len;
	uint64_t		*map_off;
	uint16_t		*map_crc;
};

/* ---- plan ------------------------------------------------------------- */

static int
add_meta(struct chd_write *w, uint32_t tag, uint8_t flags, const void *data,
    size_t len)
{
	struct chd_meta *m = oi_reallocarray(w->meta, w->nmeta + 1,
	    sizeof(*m));

	if (m == NULL)
		return oi_set_error(w->err, OPTIMG_ENOMEM, "out of memory");
	w->meta = m;
	m = &w->meta[w->nmeta];
	m->data = malloc(len + 1);
	if (m->data == NULL)
		return oi_set_error(w->err, OPTIMG_ENOMEM, "out of memory");
	memcpy(m->data, data, len);
	m->tag = tag;
	m->flags = flags;
	m->len = (uint32_t)len;
	w->nmeta++;
	return OPTIMG_OK;
}

/*
 * A GD-ROM is written as chdman writes a .gdi's: CHGD entries, and the
 * sectors between a track and the next (the gap before track 2, the space
 * up to the high-density area), which no file holds, as zero frames the
 * track's PAD counts; MAME's GD-ROM drive wants it so.
 */
static uint32_t
gd_pad(const struct optimg_disc *d, unsigned i, int32_t end)
{
	if (i + 1 >= d->ntracks)
		return 0;
	int32_t next = oi_track_stored_first(&d->tracks[i + 1]);
	return next > end ? (uint32_t)(next - end) : 0;
}

/*
 * A track's subchannel is kept as chdman keeps a cdrdao RW_RAW track's:
 * the raw P-W after each raw sector (check_chd refuses to drop it from
 * cooked ones unless told).
 */
static bool
keeps_sub(const struct optimg_track *t)
{
	return t->subchannel && (t->mode == OPTIMG_TRACK_AUDIO ||
	    t->sector_size == 2352 || t->sector_size == OPTIMG_RAW_SUB_SECTOR);
}

static int
plan_track(struct chd_write *w, const struct optimg_track *t, unsigned i)
{
	struct wtrack *wt = &w->tracks[i];
	struct chd_cd_track *m = &wt->meta;
	uint32_t stored_pregap;
	char text[160];

	if (t->sector_size != 2048 && t->sector_size != 2336 &&
	    t->sector_size != 2352 && t->sector_size != OPTIMG_RAW_SUB_SECTOR)
		return oi_set_error(w->err, OPTIMG_EUNSUPP,
		    "track %u: %u-byte sectors have no CHD track type",
		    t->number, t->sector_size);
	m->number = i + 1;
	m->mode = t->mode;
	m->datasize = t->mode == OPTIMG_TRACK_AUDIO ||
	    t->sector_size == OPTIMG_RAW_SUB_SECTOR ? 2352 : t->sector_size;
	m->sub = keeps_sub(t) ? CHD_SUB_RW_RAW : CHD_SUB_NONE;
	m->type = oi_chd_cd_type(t->mode, m->datasize);
	wt->first = oi_track_stored_first(t);
	m->frames = oi_track_stored_count(t);
	stored_pregap = (uint32_t)(t->start - wt->first);
	m->pregap_stored = stored_pregap > 0;
	m->pregap = stored_pregap > 0 ? stored_pregap : t->pregap_unstored;
	m->postgap = t->postgap_unstored;
	if (w->gdrom) {
		/* Gaps are padding, of this track or the one before. */
		m->pad = gd_pad(&w->img->disc, i, wt->first +
		    (int32_t)m->frames);
		m->pregap = stored_pregap;
		if (i + 1 < w->img->disc.ntracks)
			m->postgap = 0;
	}
	wt->padded = (m->frames + m->pad + CHD_CD_PAD - 1) / CHD_CD_PAD *
	    CHD_CD_PAD;
	w->logical_bytes += (uint64_t)wt->padded * CHD_CD_FRAME;
	int n = oi_chd_cd_format(m, w->gdrom, text, sizeof(text));
	return add_meta(w, w->gdrom ? CHD_META_CHGD : CHD_META_CHT2,
	    CHD_MDFLAGS_CHECKSUM, text, (size_t)n + 1);
}

static int
plan(struct chd_write *w)
{
	const struct optimg_disc *d = &w->img->disc;

	if (w->dvd) {
		const struct optimg_track *t = &d->tracks[0];
		w->hunk_bytes = 4096;
		w->unit_bytes = 2048;
		w->codecs[0] = CHD_CODEC_LZMA;
		w->codecs[1] = CHD_CODEC_ZLIB;
		w->ncodecs = 2;
		w->logical_bytes = (uint64_t)oi_track_stored_count(t) * 2048;
		OI_TRY(add_meta(w, CHD_META_DVD, CHD_MDFLAGS_CHECKSUM, "", 1));
	} else {
		w->hunk_bytes = CHD_CD_FRAME * CHD_CD_HUNK_FRAMES;
		w->unit_bytes = CHD_CD_FRAME;
		w->codecs[CODEC_CDLZ] = CHD_CODEC_CDLZ;
		w->codecs[CODEC_CDZL] = CHD_CODEC_CDZL;
		w->codecs[CODEC_CDFL] = CHD_CODEC_CDFL;
		w->ncodecs = 3;
		if (d->ntracks > 99)
			return oi_set_error(w->err, OPTIMG_EUNSUPP,
			    "%u tracks: a CD holds 99", d->ntracks);
		w->tracks = calloc(d->ntracks, sizeof(*w->tracks));
		if (w->tracks == NULL)
			return oi_set_error(w->err, OPTIMG_ENOMEM,
			    "out of memory");
		w->ntracks = d->ntracks;
		w->gdrom = oi_disc_gdrom_hd_track(d) >= 0;
		for (unsigned i = 0; i < d->ntracks; i++)
			OI_TRY(plan_track(w, &d->tracks[i], i));
		OI_TRY(oi_chd_lossless_meta(w->img, &w->meta, &w->nmeta,
		    w->err));
	}
	if (w->logical_bytes == 0)
		return oi_set_error(w->err, OPTIMG_EFORMAT,
		    "the image holds no sectors");
	w->hunk_count = (uint32_t)((w->logical_bytes + w->hunk_bytes - 1) /
	    w->hunk_bytes);
	w->raw_left = w->logical_bytes;
	return OPTIMG_OK;
}

/* ---- filling hunks ---------------------------------------------------- */

static int
read_sectors(struct chd_write *w, int32_t lba, uint32_t n, unsigned size)
{
	if (optimg_image_read(w->img, lba, n, size, w->sectors) < 0) {
		*w->err = w->img->err;
		return w->err->code;
	}
	return oi_progress_add(&w->prog, (uint64_t)n * size, w->err);
}

/*
 * Fills nframes CD frames at dst from the cursor, at most FILL_HUNKS
 * hunks' worth; marks the slots from s on whose hunks hold audio.
 */
static int
fill_cd(struct chd_write *w, uint8_t *dst, uint32_t nframes, struct slot *s)
{
	uint32_t pos = 0;

	memset(dst, 0, (size_t)nframes * CHD_CD_FRAME);
	while (pos < nframes && w->cur_track < w->ntracks) {
		struct wtrack *wt = &w->tracks[w->cur_track];
		const struct chd_cd_track *m = &wt->meta;
		bool audio = m->mode == OPTIMG_TRACK_AUDIO;
		bool sub = m->sub == CHD_SUB_RW_RAW;
		unsigned size = sub ? OPTIMG_RAW_SUB_SECTOR : m->datasize;
		if (w->cur_frame >= wt->padded) {
			w->cur_track++;
			w->cur_frame = 0;
			continue;
		}
		uint32_t n = OI_MIN(nframes - pos, wt->padded - w->cur_frame);
		if (w->cur_frame < m->frames) {
			n = OI_MIN(n, m->frames - w->cur_frame);
			OI_TRY(read_sectors(w, wt->first +
			    (int32_t)w->cur_frame, n, size));
			for (uint32_t i = 0; i < n; i++) {
				uint8_t *f = dst + (size_t)(pos + i) *
				    CHD_CD_FRAME;
				const uint8_t *src = w->sectors +
				    (size_t)i * size;
				struct slot *o = &s[(pos + i) /
				    CHD_CD_HUNK_FRAMES];
				if (sub)
					memcpy(f + CHD_CD_SECTOR, src +
					    CHD_CD_SECTOR, CHD_CD_SUB);
				if (!audio) {
					o->has_data = true;
					memcpy(f, src, m->datasize);
					continue;
				}
				o->has_audio = true;
				o->try_all |= wt->try_all;
				for (unsigned k = 0; k < 2352; k += 2) {
					f[k] = src[k + 1];
					f[k + 1] = src[k];
				}
			}
		}
		w->cur_frame += n;
		pos += n;
	}
	return OPTIMG_OK;
}

static int
fill_hunks(struct chd_write *w, uint8_t *dst, uint32_t first, unsigned nh,
    struct slot *s)
{
	if (!w->dvd)
		return fill_cd(w, dst, nh * CHD_CD_HUNK_FRAMES, s);
	uint64_t off = (uint64_t)first * w->hunk_bytes;
	uint64_t n = OI_MIN((uint64_t)nh * w->hunk_bytes,
	    w->logical_bytes - off);
	memset(dst, 0, (size_t)nh * w->hunk_bytes);
	OI_TRY(read_sectors(w, (int32_t)(off / 2048), (uint32_t)(n / 2048),
	    2048));
	memcpy(dst, w->sectors, (size_t)n);
	return OPTIMG_OK;
}

/* ---- dedupe and compression ------------------------------------------- */

static bool
find_or_add(struct chd_write *w, const uint8_t *sha1, uint32_t hunk,
    uint32_t *same)
{
	uint64_t key;
	size_t mask = ((size_t)1 << HASH_BITS) - 1, i;

	memcpy(&key, sha1, sizeof(key));
	key |= 1;			/* 0 marks a free slot */
	for (i = (size_t)(key >> 7) & mask; w->hash_key[i] != 0;
	    i = (i + 1) & mask)
		if (w->hash_key[i] == key) {
			*same = w->hash_val[i];
			return true;
		}
	if (hunk < mask / 2) {		/* keep the table at most half full */
		w->hash_key[i] = key;
		w->hash_val[i] = hunk;
	}
	return false;
}

/* Compresses src with codec c into o when that is smaller; its length. */
static long
try_codec(struct cworker *cw, unsigned c, const uint8_t *src, struct slot *o)
{
	struct chd_write *w = cw->w;
	uint8_t *tmp = o->data + w->hunk_bytes;
	long n = chd_codec_compress(cw->codec[c], src, tmp, w->hunk_bytes);

	if (n < 0 || n >= o->len)
		return -1;
	o->type = c;
	o->len = n;
	memcpy(o->data, tmp, (size_t)n);
	return n;
}

/*
 * chdman tries every codec on every hunk and keeps the smallest; most of
 * those tries cannot win, and skipping them is most of why we are faster.
 * Measured on the benchmark's 700 MB mixed-mode disc (bench/bench_chd.sh):
 * on data, FLAC never won, and deflate won 70 of 25786 hunks, all but 11
 * of them where LZMA left more than half the hunk (those 11 together saved
 * 154 bytes); on audio, FLAC won all but one hunk, and that one held data
 * frames too.  So: data gets LZMA, and deflate only when LZMA did poorly;
 * audio gets FLAC, and the others only when FLAC did very well (silence,
 * where a dictionary coder may do better still) or the track is one where
 * LZMA came close on a sample (sample_audio: synthetic sound, data read as
 * audio); a hunk of both, or a DVD hunk, gets every codec.
 */
static void
compress_one(struct cworker *cw, uint32_t hunk)
{
	struct chd_write *w = cw->w;
	struct slot *o = &w->slot[hunk % RING_HUNKS];
	const uint8_t *src = w->ring + (size_t)(hunk % RING_HUNKS) *
	    w->hunk_bytes;
	long half = (long)w->hunk_bytes / 2, eighth = (long)w->hunk_bytes / 8;

	if (o->type == CHD_MAP_SELF)
		return;
	o->type = CHD_MAP_NONE;
	o->len = (long)w->hunk_bytes;
	if (w->dvd || (o->has_audio && o->has_data)) {
		for (unsigned c = 0; c < w->ncodecs; c++)
			try_codec(cw, c, src, o);
	} else if (o->has_audio) {
		try_codec(cw, CODEC_CDFL, src, o);
		if (o->try_all || o->len < eighth ||
		    o->type == CHD_MAP_NONE) {
			try_codec(cw, CODEC_CDLZ, src, o);
			try_codec(cw, CODEC_CDZL, src, o);
		}
	} else {
		try_codec(cw, CODEC_CDLZ, src, o);
		if (o->len > half)
			try_codec(cw, CODEC_CDZL, src, o);
	}
	if (o->type == CHD_MAP_NONE)
		memcpy(o->data, src, w->hunk_bytes);
}

/*
 * Music is noise to LZMA: on the benchmark's audio it came out 18% to 22%
 * bigger than FLAC on every hunk, so FLAC alone is tried.  Synthetic sound
 * and data read as audio are another matter (libcdio's cdda.bin: LZMA 20%
 * smaller), and no cheap measure of a hunk told them apart; a track is a
 * steady kind of sound, so up to 8 hunks spread over it are compressed
 * both ways, and where LZMA comes within 10% of FLAC on any, the whole
 * track gets every codec, as chdman gives it.
 */
static int
sample_audio(struct chd_write *w, struct wtrack *wt)
{
	struct cworker *cw = &w->worker[0];
	uint32_t nh = wt->meta.frames / CHD_CD_HUNK_FRAMES;
	uint8_t *h = w->ring, *z = w->slot[0].data;

	for (uint32_t k = 0; k < OI_MIN(nh, 8u); k++) {
		int32_t lba = wt->first + (int32_t)((uint64_t)nh * k /
		    OI_MIN(nh, 8u) * CHD_CD_HUNK_FRAMES);
		if (optimg_image_read(w->img, lba, CHD_CD_HUNK_FRAMES, 2352,
		    w->sectors) < 0) {
			*w->err = w->img->err;
			return w->err->code;
		}
		memset(h, 0, w->hunk_bytes);
		for (unsigned f = 0; f < CHD_CD_HUNK_FRAMES; f++)
			for (unsigned i = 0; i < 2352; i++)
				h[f * CHD_CD_FRAME + i] =
				    w->sectors[f * 2352 + (i ^ 1)];
		long fl = chd_codec_compress(cw->codec[CODEC_CDFL], h, z,
		    w->hunk_bytes);
		long lz = chd_codec_compress(cw->codec[CODEC_CDLZ], h, z,
		    w->hunk_bytes);
		if (fl < 0 || (lz >= 0 && lz * 10 < fl * 11)) {
			wt->try_all = true;
			break;
		}
	}
	return OPTIMG_OK;
}

static int
sample_tracks(struct chd_write *w)
{
	for (unsigned i = 0; i < w->ntracks; i++)
		if (w->tracks[i].meta.mode == OPTIMG_TRACK_AUDIO)
			OI_TRY(sample_audio(w, &w->tracks[i]));
	return OPTIMG_OK;
}

static void *
work(void *arg)
{
	struct cworker *cw = arg;
	struct chd_write *w = cw->w;

	pthread_mutex_lock(&w->mu);
	for (;;) {
		while (!w->quit && w->claimed == w->filled)
			pthread_cond_wait(&w->work_cv, &w->mu);
		if (w->quit)
			break;
		uint32_t h = w->claimed++;
		pthread_mutex_unlock(&w->mu);
		compress_one(cw, h);
		pthread_mutex_lock(&w->mu);
		w->slot[h % RING_HUNKS].done = true;
		pthread_cond_signal(&w->done_cv);
	}
	pthread_mutex_unlock(&w->mu);
	return NULL;
}

/* The cores the process may run on: one worker each. */
static unsigned
cores(void)
{
	return OI_MIN(oi_cpu_count(), MAX_WORKERS);
}

/* Starts the workers set up; none (the caller compresses) when no thread
   can be made. */
static void
start_workers(struct chd_write *w)
{
	unsigned want = 0;

	while (want < MAX_WORKERS && w->worker[want].codec[0] != NULL)
		want++;
	while (w->nworkers < want && pthread_create(
	    &w->worker[w->nworkers].thread, NULL, work,
	    &w->worker[w->nworkers]) == 0)
		w->nworkers++;
}

static void
stop_workers(struct chd_write *w)
{
	if (!w->sync_ok)
		return;
	pthread_mutex_lock(&w->mu);
	w->quit = true;
	pthread_cond_broadcast(&w->work_cv);
	pthread_mutex_unlock(&w->mu);
	for (unsigned i = 0; i < w->nworkers; i++)
		pthread_join(w->worker[i].thread, NULL);
	w->nworkers = 0;
}

/* Reads the next hunks into the ring, hashes them, hands them over. */
static int
fill_group(struct chd_write *w)
{
	uint32_t first = w->filled;
	unsigned nh = OI_MIN(FILL_HUNKS, w->hunk_count - first);
	unsigned r = first % RING_HUNKS;
	uint8_t *dst = w->ring + (size_t)r * w->hunk_bytes;

	for (unsigned h = 0; h < nh; h++)
		w->slot[r + h].has_audio = w->slot[r + h].has_data =
		    w->slot[r + h].try_all = w->slot[r + h].done = false;
	OI_TRY(fill_hunks(w, dst, first, nh, &w->slot[r]));
	for (unsigned h = 0; h < nh; h++) {
		const uint8_t *src = dst + (size_t)h * w->hunk_bytes;
		struct slot *o = &w->slot[r + h];
		uint8_t sha1[CHD_SHA1_SIZE];
		size_t raw = (size_t)OI_MIN((uint64_t)w->hunk_bytes,
		    w->raw_left);
		EVP_DigestUpdate(w->raw_sha1, src, raw);
		w->raw_left -= raw;
		EVP_Digest(src, w->hunk_bytes, sha1, NULL, EVP_sha1(), NULL);
		o->crc = chd_crc16(src, w->hunk_bytes);
		o->type = find_or_add(w, sha1, first + h, &o->self) ?
		    CHD_MAP_SELF : CHD_MAP_NONE;
	}
	if (w->nworkers == 0) {		/* no threads: compress here */
		for (unsigned h = 0; h < nh; h++) {
			compress_one(&w->worker[0], first + h);
			w->slot[r + h].done = true;
		}
		w->filled = w->claimed = first + nh;
		return OPTIMG_OK;
	}
	pthread_mutex_lock(&w->mu);
	w->filled = first + nh;
	pthread_cond_broadcast(&w->work_cv);
	pthread_mutex_unlock(&w->mu);
	return OPTIMG_OK;
}

static int
write_slot(struct chd_write *w, uint32_t hunk)
{
	const struct slot *o = &w->slot[hunk % RING_HUNKS];

	w->map_type[hunk] = (uint8_t)o->type;
	w->map_crc[hunk] = o->crc;
	if (o->type == CHD_MAP_SELF) {
		w->map_off[hunk] = o->self;
		return OPTIMG_OK;
	}
	w->map_len[hunk] = (uint32_t)o->len;
	w->map_off[hunk] = oi_outfile_size(&w->of);
	return oi_outfile_write(&w->of, o->data, (size_t)o->len, w->err);
}

/* Writes the compressed hunks from *written on, waiting for one if wait. */
static int
write_done(struct chd_write *w, uint32_t *written, bool wait)
{
	uint32_t k = 0;

	if (w->nworkers > 0)
		pthread_mutex_lock(&w->mu);
	while (wait && w->nworkers > 0 && !w->slot[*written % RING_HUNKS].done)
		pthread_cond_wait(&w->done_cv, &w->mu);
	while (*written + k < w->filled &&
	    w->slot[(*written + k) % RING_HUNKS].done)
		k++;
	if (w->nworkers > 0)
		pthread_mutex_unlock(&w->mu);
	for (uint32_t i = 0; i < k; i++, (*written)++)
		OI_TRY(write_slot(w, *written));
	return OPTIMG_OK;
}

static int
write_hunks(struct chd_write *w)
{
	uint32_t written = 0;
	int rc = OPTIMG_OK;

	start_workers(w);
	while (rc == OPTIMG_OK && written < w->hunk_count) {
		bool room = w->filled < w->hunk_count &&
		    w->filled + FILL_HUNKS <= written + RING_HUNKS;
		if (room)
			rc = fill_group(w);
		if (rc == OPTIMG_OK)
			rc = write_done(w, &written, !room);
	}
	stop_workers(w);
	return rc;
}

/* ---- map, metadata, header -------------------------------------------- */

static unsigned
bits_for(uint64_t v)
{
	unsigned b = 0;

	while (b < 64 && (v >> b) != 0)
		b++;
	return b;
}

/* Hunk types with runs folded into RLE codes, as the reader expects. */
static size_t
type_symbols(const struct chd_write *w, uint8_t *sym)
{
	size_t n = 0;

	for (uint32_t i = 0; i < w->hunk_count;) {
		uint32_t run = 1;
		while (i + run < w->hunk_count &&
		    w->map_type[i + run] == w->map_type[i])
			run++;
		sym[n++] = w->map_type[i];
		uint32_t left = run - 1;
		while (left >= 3) {
			if (left >= 19) {
				uint32_t k = OI_MIN(left - 19, 255u);
				sym[n++] = CHD_MAP_RLE_LARGE;
				sym[n++] = (uint8_t)(k >> 4);
				sym[n++] = (uint8_t)(k & 15);
				left -= 19 + k;
			} else {
				sym[n++] = CHD_MAP_RLE_SMALL;
				sym[n++] = (uint8_t)(left - 3);
				left = 0;
			}
		}
		while (left-- > 0)
			sym[n++] = w->map_type[i];
		i += run;
	}
	return n;
}

static void
raw_entry(const struct chd_write *w, uint32_t i, uint8_t *e)
{
	unsigned t = w->map_type[i];
	uint32_t len = t == CHD_MAP_SELF ? 0 : w->map_len[i];
	uint16_t crc = t == CHD_MAP_SELF ? 0 : w->map_crc[i];
	uint64_t off = w->map_off[i];

	e[0] = (uint8_t)t;
	e[1] = (uint8_t)(len >> 16);
	e[2] = (uint8_t)(len >> 8);
	e[3] = (uint8_t)len;
	for (int k = 0; k < 6; k++)
		e[4 + k] = (uint8_t)(off >> (40 - 8 * k));
	e[10] = (uint8_t)(crc >> 8);
	e[11] = (uint8_t)crc;
}

static int
write_map(struct chd_write *w, uint64_t first_offset, uint64_t *map_offset)
{
	size_t cap = (size_t)w->hunk_count * 12 + 1024, n;
	uint8_t *sym = malloc((size_t)w->hunk_count * 3 + 16);
	uint8_t *buf = malloc(cap + 16), *raw = malloc(
	    (size_t)w->hunk_count * 12);
	uint32_t counts[16] = { 0 }, maxlen = 0, maxself = 0;
	struct chd_huff h;
	struct chd_bitw bw;
	int rc = OPTIMG_OK;

	if (sym == NULL || buf == NULL || raw == NULL ||
	    chd_huff_init(&h, 16, 8) < 0) {
		free(sym);
		free(buf);
		free(raw);
		return oi_set_error(w->err, OPTIMG_ENOMEM, "out of memory");
	}
	n = type_symbols(w, sym);
	for (size_t i = 0; i < n; i++)
		counts[sym[i]]++;
	for (uint32_t i = 0; i < w->hunk_count; i++) {
		if (w->map_type[i] < 4)
			maxlen = OI_MAX(maxlen, w->map_len[i]);
		if (w->map_type[i] == CHD_MAP_SELF)
			maxself = OI_MAX(maxself, (uint32_t)w->map_off[i]);
		raw_entry(w, i, raw + (size_t)i * 12);
	}
	unsigned lbits = bits_for(maxlen), sbits = bits_for(maxself);
	chd_huff_build(&h, counts);
	chd_bitw_init(&bw, buf + 16, cap);
	chd_huff_export_rle(&h, &bw);
	for (size_t i = 0; i < n; i++)
		chd_huff_encode(&h, &bw, sym[i]);
	for (uint32_t i = 0; i < w->hunk_count; i++) {
		unsigned t = w->map_type[i];
		if (t < 4)
			chd_bitw_put(&bw, w->map_len[i], (int)lbits);
		if (t < 4 || t == CHD_MAP_NONE)
			chd_bitw_put(&bw, w->map_crc[i], 16);
		else if (t == CHD_MAP_SELF)
			chd_bitw_put(&bw, (uint32_t)w->map_off[i], (int)sbits);
	}
	size_t len = chd_bitw_flush(&bw);
	uint16_t crc = chd_crc16(raw, (size_t)w->hunk_count * 12);
	memset(buf, 0, 16);
	buf[0] = (uint8_t)(len >> 24);
	buf[1] = (uint8_t)(len >> 16);
	buf[2] = (uint8_t)(len >> 8);
	buf[3] = (uint8_t)len;
	for (int k = 0; k < 6; k++)
		buf[4 + k] = (uint8_t)(first_offset >> (40 - 8 * k));
	buf[10] = (uint8_t)(crc >> 8);
	buf[11] = (uint8_t)crc;
	buf[12] = (uint8_t)lbits;
	buf[13] = (uint8_t)sbits;
	buf[14] = 0;			/* parent bits: no parent */
	*map_offset = oi_outfile_size(&w->of);
	if (bw.full)
		rc = oi_set_error(w->err, OPTIMG_EFORMAT,
		    "the hunk map does not fit its buffer");
	else
		rc = oi_outfile_write(&w->of, buf, len + 16, w->err);
	chd_huff_release(&h);
	free(sym);
	free(buf);
	free(raw);
	return rc;
}

static void
be32enc(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static void
be64enc(uint8_t *p, uint64_t v)
{
	be32enc(p, (uint32_t)(v >> 32));
	be32enc(p + 4, (uint32_t)v);
}

static int
write_meta(struct chd_write *w)
{
	uint64_t off = CHD_V5_HEADER_SIZE;

	for (unsigned i = 0; i < w->nmeta; i++) {
		const struct chd_meta *m = &w->meta[i];
		uint8_t h[16];
		uint64_t next = off + 16 + m->len;
		be32enc(h, m->tag);
		be32enc(h + 4, (uint32_t)m->flags << 24 | m->len);
		be64enc(h + 8, i + 1 < w->nmeta ? next : 0);
		OI_TRY(oi_outfile_write(&w->of, h, 16, w->err));
		OI_TRY(oi_outfile_write(&w->of, m->data, m->len, w->err));
		off = next;
	}
	return OPTIMG_OK;
}

static void
make_header(const struct chd_write *w, uint8_t *h, uint64_t map_offset,
    const uint8_t *raw, const uint8_t *overall)
{
	memset(h, 0, CHD_V5_HEADER_SIZE);
	memcpy(h, CHD_MAGIC, 8);
	be32enc(h + 8, CHD_V5_HEADER_SIZE);
	be32enc(h + 12, 5);
	for (int i = 0; i < 4; i++)
		be32enc(h + 16 + 4 * i, w->codecs[i]);
	be64enc(h + 32, w->logical_bytes);
	be64enc(h + 40, map_offset);
	be64enc(h + 48, w->nmeta > 0 ? CHD_V5_HEADER_SIZE : 0);
	be32enc(h + 56, w->hunk_bytes);
	be32enc(h + 60, w->unit_bytes);
	memcpy(h + 64, raw, CHD_SHA1_SIZE);
	memcpy(h + 84, overall, CHD_SHA1_SIZE);
}

/* ---- the whole ---------------------------------------------------------- */

static int
setup(struct chd_write *w)
{
	size_t hb = w->hunk_bytes, n = w->hunk_count;

	w->sectors = malloc((size_t)FILL_HUNKS * hb);
	w->ring = malloc((size_t)RING_HUNKS * hb);
	w->hash_key = calloc((size_t)1 << HASH_BITS, sizeof(*w->hash_key));
	w->hash_val = calloc((size_t)1 << HASH_BITS, sizeof(*w->hash_val));
	w->map_type = calloc(n, 1);
	w->map_len = calloc(n, sizeof(*w->map_len));
	w->map_off = calloc(n, sizeof(*w->map_off));
	w->map_crc = calloc(n, sizeof(*w->map_crc));
	w->raw_sha1 = EVP_MD_CTX_new();
	if (w->sectors == NULL || w->ring == NULL || w->hash_key == NULL ||
	    w->hash_val == NULL || w->map_type == NULL || w->map_len == NULL ||
	    w->map_off == NULL || w->map_crc == NULL || w->raw_sha1 == NULL ||
	    EVP_DigestInit_ex(w->raw_sha1, EVP_sha1(), NULL) != 1)
		return oi_set_error(w->err, OPTIMG_ENOMEM, "out of memory");
	for (unsigned h = 0; h < RING_HUNKS; h++)
		if ((w->slot[h].data = malloc(hb * 2)) == NULL)
			return oi_set_error(w->err, OPTIMG_ENOMEM,
			    "out of memory");
	for (unsigned j = 0, nw = cores(); j < nw; j++) {
		w->worker[j].w = w;
		for (unsigned c = 0; c < w->ncodecs; c++)
			if (chd_codec_new(w->codecs[c], w->hunk_bytes,
			    &w->worker[j].codec[c]) < 0)
				return oi_set_error(w->err, OPTIMG_ENOMEM,
				    "cannot set up the CHD codecs");
	}
	if (pthread_mutex_init(&w->mu, NULL) != 0)
		return oi_set_error(w->err, OPTIMG_ENOMEM, "out of memory");
	if (pthread_cond_init(&w->work_cv, NULL) != 0) {
		pthread_mutex_destroy(&w->mu);
		return oi_set_error(w->err, OPTIMG_ENOMEM, "out of memory");
	}
	if (pthread_cond_init(&w->done_cv, NULL) != 0) {
		pthread_cond_destroy(&w->work_cv);
		pthread_mutex_destroy(&w->mu);
		return oi_set_error(w->err, OPTIMG_ENOMEM, "out of memory");
	}
	w->sync_ok = true;
	return OPTIMG_OK;
}

static void
release(struct chd_write *w)
{
	stop_workers(w);
	if (w->sync_ok) {
		pthread_cond_destroy(&w->done_cv);
		pthread_cond_destroy(&w->work_cv);
		pthread_mutex_destroy(&w->mu);
	}
	for (unsigned j = 0; j < MAX_WORKERS; j++)
		for (unsigned c = 0; c < 4; c++)
			chd_codec_free(w->worker[j].codec[c]);
	for (unsigned h = 0; h < RING_HUNKS; h++)
		free(w->slot[h].data);
	for (unsigned i = 0; i < w->nmeta; i++)
		free(w->meta[i].data);
	free(w->meta);
	free(w->tracks);
	free(w->sectors);
	free(w->ring);
	free(w->hash_key);
	free(w->hash_val);
	free(w->map_type);
	free(w->map_len);
	free(w->map_off);
	free(w->map_crc);
	EVP_MD_CTX_free(w->raw_sha1);
}

static int
write_all(struct chd_write *w)
{
	uint8_t h[CHD_V5_HEADER_SIZE], raw[CHD_SHA1_SIZE], all[CHD_SHA1_SIZE];
	uint64_t first = 0, map_offset = 0;
	unsigned olen;

	memset(h, 0, sizeof(h));
	OI_TRY(oi_outfile_write(&w->of, h, sizeof(h), w->err));
	OI_TRY(write_meta(w));
	first = oi_outfile_size(&w->of);
	OI_TRY(write_hunks(w));
	OI_TRY(write_map(w, first, &map_offset));
	EVP_DigestFinal_ex(w->raw_sha1, raw, &olen);
	oi_chd_overall_sha1(w->meta, w->nmeta, raw, all);
	make_header(w, h, map_offset, raw, all);
	return oi_outfile_pwrite(&w->of, h, sizeof(h), 0, w->err);
}

static int
write_chd(struct optimg_image *img, const char *out,
    const struct optimg_convert_opts *opts, struct optimg_error *err)
{
	struct chd_write *w = calloc(1, sizeof(*w));
	int rc;

	if (w == NULL)
		return oi_set_error(err, OPTIMG_ENOMEM, "out of memory");
	w->img = img;
	w->err = err;
	w->of.fd = -1;
	w->dvd = img->disc.ntracks == 1 &&
	    img->disc.tracks[0].storage == OPTIMG_STORE_PLAIN;
	w->prog.fn = opts->progress;
	w->prog.ctx = opts->progress_ctx;
	rc = oi_check_not_input(img, out, err);
	if (rc == 0)
		rc = plan(w);
	if (rc == 0) {
		w->prog.total = w->dvd ? w->logical_bytes : 0;
		for (unsigned i = 0; i < w->ntracks; i++)
			w->prog.total += (uint64_t)w->tracks[i].meta.frames *
			    (w->tracks[i].meta.sub == CHD_SUB_RW_RAW ?
			    OPTIMG_RAW_SUB_SECTOR : w->tracks[i].meta.datasize);
		rc = setup(w);
	}
	if (rc == 0)
		rc = sample_tracks(w);
	if (rc == 0)
		rc = oi_outfile_open(&w->of, out, opts->force, err);
	if (rc == 0) {
		rc = write_all(w);
		if (rc == 0)
			rc = oi_outfile_finish(&w->of, err);
		if (rc == 0)
			rc = oi_outfile_commit(&w->of, err);
		if (rc < 0)
			oi_outfile_abort(&w->of);
	}
	release(w);
	free(w);
	return rc;
}

/* What of d only our tag can keep: "" when chdman's tracks say it all. */
static const char *
needs_tag(const struct optimg_disc *d)
{
	if (d->nsessions > 1)
		return "sessions";
	if (oi_disc_cdtext_any(d))
		return "CD-TEXT";
	if (d->catalog[0] != '\0')
		return "catalog number";
	for (unsigned i = 0; i < d->ntracks; i++) {
		const struct optimg_track *t = &d->tracks[i];
		if (t->isrc[0] != '\0')
			return "ISRC codes";
		if (t->flags & ~(unsigned)OPTIMG_FLAG_DATA)
			return "track flags";
		for (unsigned k = 2; k < OPTIMG_MAX_INDEX; k++)
			if (t->index[k] != OPTIMG_NO_INDEX)
				return "indices past 01";
	}
	return "";
}

/*
 * The tag holds what a cue holds, but only when the image was read from
 * a sheet it can keep; else what chdman's track list cannot say is lost,
 * which is refused unless the caller accepts losing it.
 */
static int
check_chd(const struct optimg_image *img,
    const struct optimg_convert_opts *opts, struct optimg_error *err)
{
	const char *what = needs_tag(&img->disc), *why;

	for (unsigned i = 0; !opts->lossy && i < img->disc.ntracks; i++) {
		const struct optimg_track *t = &img->disc.tracks[i];
		if (!t->subchannel || keeps_sub(t))
			continue;
		oi_set_error(err, OPTIMG_ELOSSY, "a CHD keeps subchannel only "
		    "after raw sectors, and track %u holds %u-byte ones",
		    t->number, t->sector_size);
		return oi_error_remedy(err, OPTIMG_OPTION_LOSSY,
		    OPTIMG_OPTION_NONE);
	}
	if (opts->lossy || *what == '\0' ||
	    (why = oi_chd_sheet_unkeepable(img)) == NULL)
		return OPTIMG_OK;
	oi_set_error(err, OPTIMG_ELOSSY, "a CHD keeps the image's %s only "
	    "with the cue sheet it came from, and %s", what, why);
	return oi_error_remedy(err, OPTIMG_OPTION_LOSSY, OPTIMG_OPTION_NONE);
}

static const char *const chd_extensions[] = { ".chd", NULL };

/* Its tag gives a cue sheet's lines back, so it holds what a cue holds
 * (check_chd refuses when the tag cannot be written), and the frames
 * hold subchannel (check_chd refuses it after cooked sectors). */
const struct oi_writer oi_writer_chd = {
	.name = "chd",
	.description = "a CHD",
	.extensions = chd_extensions,
	.holds = OI_HOLDS_CDTEXT | OI_HOLDS_CODES | OI_HOLDS_SESSIONS |
	    OI_HOLDS_TRACKS | OI_HOLDS_SUB,
	.check = check_chd,
	.write = write_chd,
};
