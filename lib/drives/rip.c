/*
 * rip.c - optimg_rip(): a disc to Redump-style BIN/CUE or to an ISO, with
 * retries, read-offset correction and a rescue map that lets a later run
 * read only what is missing.
 *
 * The plan is a list of output files, each a run of LBAs: one per track
 * for a cue (a track's pregap goes into its own file, as Redump has it),
 * the data track for an ISO.  Sectors are read in batches of BATCH; a
 * batch that fails is read again sector by sector, and a sector that
 * fails on its own is re-read up to opts->retries times.  Data sectors
 * read raw must pass their EDC/ECC check.  Those that fail are read again
 * cooked, as the drive corrects them: an ISO takes that user data; a bin
 * cannot, so such a sector is a raw fault (rawfail) unless the caller
 * asked for it to be rebuilt from the user data.  Drives can return raw
 * sectors that are wrong the same way every time (QEMU's IDE drive, some
 * USB bridges) or none (no READ CD), and that must never become a dump
 * of zeros.  A sector without a cooked read that reads back the same
 * with a bad EDC twice is kept as it is (a disc can hold such sectors on
 * purpose).  The map says which sectors were settled how (rip.h).
 *
 * Partial data lives in ".NAME (Track N).bin.part" files beside the
 * output, written in place; NAME.map (rescue_map.c) records what in them
 * is good and is replaced after every batch.  Only a complete dump gets
 * its final names, a cue sheet and NAME.hash.
 *
 * Read-offset correction (--offset, in 4-byte stereo samples) applies to
 * audio tracks: output sample s is drive sample s + offset, so a batch
 * reads one sector more than it writes and zeros stand in for what lies
 * before the first sector or past the lead-out.
 */
#include "config.h"

#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <zlib.h>

#include "convert.h"
#include "place.h"
#include "rip.h"

#define BATCH		27		/* sectors a read asks for */
#define MAX_OFFSET	58800		/* samples: 100 sectors */
#define HANG_POLL_MS	20
#define HANG_MAX_MS	30000
#define KEPT_WARNINGS	10

/* user_data(): the raw sector does not say where its user data is. */
#define GOT_BADCHECK	1

struct rip_file {
	char		*name;		/* base name */
	char		*path;		/* final */
	char		*part;		/* where the data grows */
	int		 fd;
	unsigned	 track;		/* index into disc->tracks */
	int32_t		 first;
	uint32_t	 count;
	unsigned	 size;		/* bytes a sector in the file */
};

struct rip {
	const struct optimg_rip_opts	*opts;
	struct optimg_error		*err;
	struct optimg_drive		*drv;
	struct optimg_image		*img;
	const struct optimg_disc	*disc;
	enum optimg_output		 to;
	char				*dir, *base;
	char				*map_path, *hash_path;
	char				*lock_path;
	int				 lock_fd;
	const char			*out_path;
	char				*sub_path;	/* CloneCD */
	struct rip_file			*files;
	unsigned			 nfiles;
	struct oi_rescue_map		 map;
	struct oi_fault_plan		 faults;
	struct optimg_rip_result	*res;
	struct optimg_rip_status	 st;
	int32_t				 disc_first, disc_end;
	uint8_t				*raw;	/* BATCH + 1 drive sectors */
	uint8_t				*out;	/* BATCH file sectors */
	uint8_t				*cooked; /* BATCH user data sectors */
	uint8_t				*prev;	/* a sector's previous read */
	enum oi_map_status		 sst[BATCH];	/* of r->out's sectors */
	bool				 known[BATCH];	/* user data in r->out */
	bool				 no_raw;	/* raw reads refused */
	bool				 cooked_says;	/* a second opinion */
	unsigned			 kept_warned;
	bool				 stop;
};

/* ---- reading through the fault plan ------------------------------------- */

static bool
ask_stop(struct rip *r)
{
	const struct optimg_rip_opts *o = r->opts;

	if (!r->stop && o->progress != NULL &&
	    o->progress(o->progress_ctx, &r->st) != 0)
		r->stop = true;
	return r->stop;
}

/* A hung read: wait until asked to stop, as a real one may never return. */
static int
hang(struct rip *r, int32_t lba)
{
	struct timespec ts = { 0, HANG_POLL_MS * 1000000L };

	for (unsigned waited = 0; waited < HANG_MAX_MS; waited += HANG_POLL_MS) {
		if (ask_stop(r))
			return oi_set_error(r->err, OPTIMG_ECANCELED,
			    "interrupted while sector %ld was being read",
			    (long)lba);
		nanosleep(&ts, NULL);
	}
	return oi_set_error(r->err, OPTIMG_EIO, "sector %ld: the read timed "
	    "out (injected)", (long)lba);
}

/*
 * A raw sector as QEMU's IDE drive returns it (hw/ide/atapi.c): header
 * MSF in binary, not BCD, and EDC/ECC zeroed.  For injected "rawbad".
 */
static void
spoil(uint8_t *raw, int32_t lba)
{
	int32_t a = lba + 150;

	if (raw[15] != 1 && raw[15] != 2)
		return;
	raw[12] = (uint8_t)(a / (60 * 75));
	raw[13] = (uint8_t)(a / 75 % 60);
	raw[14] = (uint8_t)(a % 75);
	memset(raw + 2064, 0, OPTIMG_RAW_SECTOR - 2064);
}

/*
 * Drive sectors [lba, lba + n) of size bytes, 2352 raw, 2448 raw with
 * the raw P-W subchannel after each, or 2048 cooked:
 * OK, EIO, EUNSUPP (the drive cannot read them raw) or ECANCELED.  A
 * cooked read of a CD goes to the drive itself (its own READ CD 2048 or
 * READ(10)), not through the raw sectors the image would cook.
 */
static int
drive_read(struct rip *r, int32_t lba, uint32_t n, unsigned size,
    uint8_t *buf)
{
	struct optimg_image *img = r->img;
	int rc;

	r->res->reads++;
	r->res->sectors_read += n;
	switch (oi_fault_check(&r->faults, lba, n)) {
	case OI_FAULT_HANG:
		return hang(r, lba);
	case OI_FAULT_FAIL:
	case OI_FAULT_FLAKY:
		return oi_set_error(r->err, OPTIMG_EIO, "sectors %ld-%ld: "
		    "injected read error", (long)lba, (long)lba + n - 1);
	default:
		break;
	}
	if (size != OPTIMG_USER_SECTOR &&
	    oi_fault_covers(&r->faults, lba, OI_FAULT_NORAW))
		return oi_set_error(r->err, OPTIMG_EUNSUPP, "sector %ld: the "
		    "drive cannot read raw sectors (injected)", (long)lba);
	/* Cooked and subchannel reads go to the drive as asked. */
	if (size != OPTIMG_RAW_SECTOR && img->reader.read != NULL)
		rc = img->reader.read(img->reader.ctx, lba, n, size, buf,
		    r->err);
	else if ((rc = optimg_image_read(img, lba, n, size, buf)) < 0)
		oi_set_error(r->err, rc, "%s", optimg_image_errmsg(img));
	if (rc < 0) {
		if (rc != OPTIMG_EUNSUPP && rc != OPTIMG_ECANCELED)
			r->err->code = rc = OPTIMG_EIO;
		return rc;
	}
	for (uint32_t i = 0; size != OPTIMG_USER_SECTOR && i < n; i++)
		if (oi_fault_covers(&r->faults, lba + (int32_t)i,
		    OI_FAULT_RAWBAD))
			spoil(buf + (size_t)i * size, lba + (int32_t)i);
	return OPTIMG_OK;
}

static int64_t
floor_div(int64_t a, int64_t b)
{
	return a / b - (a % b != 0 && (a < 0) != (b < 0));
}

/* Audio shifted by the read offset, zeros beyond the disc's edges. */
static int
read_shifted(struct rip *r, int32_t lba, uint32_t n)
{
	int64_t byte0 = (int64_t)lba * OPTIMG_RAW_SECTOR +
	    (int64_t)r->opts->offset * 4;
	int64_t d0 = floor_div(byte0, OPTIMG_RAW_SECTOR);
	size_t intra = (size_t)(byte0 - d0 * OPTIMG_RAW_SECTOR);
	int64_t dn = n + (intra != 0);
	int64_t lo = OI_MAX(d0, (int64_t)r->disc_first);
	int64_t hi = OI_MIN(d0 + dn, (int64_t)r->disc_end);

	memset(r->raw, 0, (size_t)dn * OPTIMG_RAW_SECTOR);
	if (lo < hi)
		OI_TRY(drive_read(r, (int32_t)lo, (uint32_t)(hi - lo),
		    OPTIMG_RAW_SECTOR,
		    r->raw + (size_t)(lo - d0) * OPTIMG_RAW_SECTOR));
	memcpy(r->out, r->raw + intra, (size_t)n * OPTIMG_RAW_SECTOR);
	return OPTIMG_OK;
}

static bool
has_sync(const uint8_t *raw)
{
	static const uint8_t sync[12] = { 0, 0xff, 0xff, 0xff, 0xff, 0xff,
	    0xff, 0xff, 0xff, 0xff, 0xff, 0 };

	return memcmp(raw, sync, sizeof(sync)) == 0;
}

/*
 * 2048 bytes of user data from a raw sector as read, for an ISO, whether
 * or not it passed its check: OK, GOT_BADCHECK when the sector does not
 * say where its user data is, or ELOSSY for Mode 2 Form 2.
 */
static int
user_data(struct rip *r, int32_t lba, const uint8_t *raw, uint8_t *dst)
{
	if (!has_sync(raw))
		return GOT_BADCHECK;
	switch (raw[15]) {
	case 0:
		memset(dst, 0, OPTIMG_USER_SECTOR);
		return OPTIMG_OK;
	case 1:
		memcpy(dst, raw + 16, OPTIMG_USER_SECTOR);
		return OPTIMG_OK;
	case 2:
		if (raw[18] & 0x20)
			return oi_set_error(r->err, OPTIMG_ELOSSY, "sector %ld "
			    "is Mode 2 Form 2, which an ISO cannot hold; rip "
			    "to a .cue instead", (long)lba);
		memcpy(dst, raw + 24, OPTIMG_USER_SECTOR);
		return OPTIMG_OK;
	}
	return GOT_BADCHECK;
}

/*
 * Sector i of a raw batch (rs bytes a sector) of a data track into
 * r->out, as the output
 * wants it; r->sst[i] becomes GOOD when it passed its check, else BAD
 * (to be settled by a cooked read or retries).  r->known[i] says whether
 * the output holds the sector's user data as read.
 */
static int
take_raw(struct rip *r, const struct rip_file *f,
    const struct optimg_track *t, int32_t lba, uint32_t i, unsigned rs)
{
	const uint8_t *raw = r->raw + (size_t)i * rs;
	uint8_t *dst = r->out + (size_t)i * f->size;
	bool ok;
	int rc;

	/* A pregap may be stored as audio-like silence without sync;
	 * from INDEX 01 on, every sector of a data track has one. */
	ok = has_sync(raw) ? optimg_sector_check(raw, lba) == 0 :
	    lba < t->start;
	r->sst[i] = ok ? OI_MAP_GOOD : OI_MAP_BAD;
	r->known[i] = true;
	if (f->size != OPTIMG_USER_SECTOR) {	/* rs == f->size */
		memcpy(dst, raw, f->size);
		return OPTIMG_OK;
	}
	if (!has_sync(raw) && ok) {
		memset(dst, 0, OPTIMG_USER_SECTOR);
		return OPTIMG_OK;
	}
	rc = user_data(r, lba, raw, dst);
	if (rc == GOT_BADCHECK) {
		r->known[i] = false;
		r->sst[i] = OI_MAP_BAD;
		return OPTIMG_OK;
	}
	return rc;
}

/*
 * Settles a sector whose raw read failed (or could not be made) from the
 * drive's cooked read c of it.  An ISO takes the cooked user data: it is
 * what the drive returns after its own error correction.  A BIN cannot
 * take it as a raw sector: it is a raw fault (rawfail), or with
 * --reconstruct a Mode 1 sector made anew from it (rebuilt).  An image
 * driver's cooked read is the same bytes as its raw one, so for a BIN it
 * says nothing: the sector is left to retries, to be kept as read.
 */
static void
take_cooked(struct rip *r, const struct rip_file *f,
    const struct optimg_track *t, int32_t lba, uint32_t i, const uint8_t *c,
    bool raw_read)
{
	uint8_t *dst = r->out + (size_t)i * f->size;

	if (f->size == OPTIMG_USER_SECTOR) {
		if (raw_read && r->known[i] &&
		    memcmp(dst, c, OPTIMG_USER_SECTOR) != 0)
			r->res->cooked_differ++;
		memcpy(dst, c, OPTIMG_USER_SECTOR);
		r->sst[i] = OI_MAP_COOKED;
	} else if (!r->cooked_says)
		return;
	else if (r->opts->reconstruct && t->mode == OPTIMG_TRACK_MODE1) {
		optimg_sector_from_user(dst, c, lba, OPTIMG_SECTOR_MODE1, NULL);
		r->sst[i] = OI_MAP_REBUILT;
	} else
		r->sst[i] = OI_MAP_RAWFAIL;
	if (!r->cooked_says)
		return;
	if (raw_read)
		r->res->raw_corrupt++;
	else
		r->res->raw_unreadable++;
}

/* The cooked read for the sectors of a batch whose raw read failed. */
static int
settle_cooked(struct rip *r, const struct rip_file *f,
    const struct optimg_track *t, int32_t lba, uint32_t n, bool raw_read)
{
	int rc = drive_read(r, lba, n, OPTIMG_USER_SECTOR, r->cooked);

	if (rc == OPTIMG_ECANCELED)
		return rc;
	if (rc < 0)	/* left to retries, sector by sector */
		return raw_read ? OPTIMG_OK : OPTIMG_EIO;
	for (uint32_t i = 0; i < n; i++)
		if (r->sst[i] == OI_MAP_BAD)
			take_cooked(r, f, t, lba + (int32_t)i, i,
			    r->cooked + (size_t)i * OPTIMG_USER_SECTOR, raw_read);
	return OPTIMG_OK;
}

/* The track whose sectors (pregap included) hold lba. */
static const struct optimg_track *
track_at(const struct rip *r, int32_t lba)
{
	const struct optimg_track *hit = &r->disc->tracks[0];

	for (unsigned i = 1; i < r->disc->ntracks; i++)
		if (optimg_track_first_lba(&r->disc->tracks[i]) <= lba)
			hit = &r->disc->tracks[i];
	return hit;
}

/*
 * n sectors of file f from lba into r->out, each with its status in
 * r->sst: OPTIMG_OK (sectors left BAD are to be retried), EIO,
 * ECANCELED, or an error that ends the rip.
 */
static int
read_sectors(struct rip *r, const struct rip_file *f, int32_t lba,
    uint32_t n)
{
	const struct optimg_track *t = track_at(r, lba);
	/* Raw sectors as read: with their subchannel for a CloneCD rip. */
	unsigned rs = f->size == OPTIMG_RAW_SUB_SECTOR ? f->size :
	    OPTIMG_RAW_SECTOR;
	bool todo = false;
	int rc;

	for (uint32_t i = 0; i < n; i++)
		r->sst[i] = OI_MAP_GOOD;
	if (t->sector_size == OPTIMG_USER_SECTOR)	/* DVD, BD */
		return drive_read(r, lba, n, OPTIMG_USER_SECTOR, r->out);
	if (t->mode == OPTIMG_TRACK_AUDIO)
		return r->opts->offset != 0 ? read_shifted(r, lba, n) :
		    drive_read(r, lba, n, rs, r->out);
	rc = r->no_raw ? OPTIMG_EUNSUPP : drive_read(r, lba, n, rs, r->raw);
	/* No subchannel, no CloneCD rip: nothing to fall back on. */
	if (rc == OPTIMG_EUNSUPP && rs == OPTIMG_RAW_SUB_SECTOR)
		return rc;
	if (rc == OPTIMG_EUNSUPP) {
		if (!r->no_raw)
			oi_image_warn(r->img, "raw reads refused (%s); user "
			    "data from cooked reads only", r->err->message);
		r->no_raw = true;
		oi_error_clear(r->err);
		for (uint32_t i = 0; i < n; i++) {
			r->sst[i] = OI_MAP_BAD;
			r->known[i] = false;
		}
		return settle_cooked(r, f, t, lba, n, false);
	}
	if (rc < 0)
		return rc;
	for (uint32_t i = 0; i < n; i++) {
		OI_TRY(take_raw(r, f, t, lba + (int32_t)i, i, rs));
		todo |= r->sst[i] == OI_MAP_BAD;
	}
	return todo ? settle_cooked(r, f, t, lba, n, true) : OPTIMG_OK;
}

/* ---- writing and the map ----------------------------------------------- */

static int
write_sectors(struct rip *r, const struct rip_file *f, int32_t lba,
    uint32_t n, const uint8_t *data)
{
	size_t len = (size_t)n * f->size;
	off_t off = (off_t)(lba - f->first) * f->size;

	while (len > 0) {
		ssize_t w = pwrite(f->fd, data, len, off);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return oi_set_errno(r->err, OPTIMG_EIO,
			    "cannot write '%s'", f->part);
		data += w;
		len -= (size_t)w;
		off += w;
	}
	return OPTIMG_OK;
}

static int
mark(struct rip *r, int32_t lba, uint32_t n, enum oi_map_status st)
{
	if (oi_map_set(&r->map, lba, n, st) < 0)
		return oi_set_error(r->err, OPTIMG_ENOMEM, "out of memory");
	return OPTIMG_OK;
}

/* Writes sectors and marks them st with the CRC32 of their bytes. */
static int
write_hashed(struct rip *r, const struct rip_file *f, int32_t lba,
    uint32_t n, const uint8_t *data, enum oi_map_status st)
{
	uLong crc = crc32(0L, Z_NULL, 0);

	OI_TRY(write_sectors(r, f, lba, n, data));
	crc = crc32_z(crc, data, (size_t)n * f->size);
	if (oi_map_set_hashed(&r->map, lba, n, st, (uint32_t)crc) < 0)
		return oi_set_error(r->err, OPTIMG_ENOMEM, "out of memory");
	return OPTIMG_OK;
}

/* Writes and marks the sectors of a batch that read_sectors() settled. */
static int
commit(struct rip *r, const struct rip_file *f, int32_t lba, uint32_t n)
{
	uint32_t i = 0;

	while (i < n) {
		uint32_t k = 1;

		while (i + k < n && r->sst[i + k] == r->sst[i])
			k++;
		if (r->sst[i] == OI_MAP_RAWFAIL)
			OI_TRY(mark(r, lba + (int32_t)i, k, r->sst[i]));
		else if (r->sst[i] != OI_MAP_BAD)
			OI_TRY(write_hashed(r, f, lba + (int32_t)i, k,
			    r->out + (size_t)i * f->size, r->sst[i]));
		i += k;
	}
	return OPTIMG_OK;
}

static void
warn_kept(struct rip *r, int32_t lba)
{
	if (r->kept_warned++ < KEPT_WARNINGS)
		oi_image_warn(r->img, "sector %ld reads the same every time but "
		    "fails its EDC/ECC check; kept as read", (long)lba);
	else if (r->kept_warned == KEPT_WARNINGS + 1)
		oi_image_warn(r->img, "more sectors fail their EDC/ECC check "
		    "the same way every time; the summary counts them");
}

/* One sector on its own, with retries; leaves it settled or bad. */
static int
rip_sector(struct rip *r, const struct rip_file *f, int32_t lba)
{
	bool have_prev = false;
	int rc;

	for (unsigned a = 0; a <= r->opts->retries; a++) {
		if (a > 0) {
			r->res->retries++;
			r->st.retries++;
			if (ask_stop(r))
				break;
		}
		rc = read_sectors(r, f, lba, 1);
		if (rc == OPTIMG_ECANCELED)
			return rc;		/* still untried */
		if (rc < 0 && rc != OPTIMG_EIO)
			return rc;
		if (rc == OPTIMG_EIO)
			continue;
		if (r->sst[0] != OI_MAP_BAD) {
			r->res->recovered += a > 0 && r->sst[0] == OI_MAP_GOOD;
			return commit(r, f, lba, 1);
		}
		if (!r->known[0])
			continue;
		/* The subchannel may vary from read to read; the sector
		 * is what must read the same. */
		if (have_prev && memcmp(r->prev, r->out,
		    OI_MIN(f->size, OPTIMG_RAW_SECTOR)) == 0) {
			warn_kept(r, lba);
			r->sst[0] = OI_MAP_KEPT;
			return commit(r, f, lba, 1);
		}
		memcpy(r->prev, r->out, f->size);
		have_prev = true;
	}
	return mark(r, lba, 1, OI_MAP_BAD);
}

static int
rip_batch(struct rip *r, const struct rip_file *f, int32_t lba, uint32_t n)
{
	int rc = read_sectors(r, f, lba, n);
	bool todo[BATCH];

	if (rc == OPTIMG_EIO) {
		for (uint32_t i = 0; i < n; i++)
			r->sst[i] = OI_MAP_BAD;
	} else if (rc < 0)
		return rc;
	else
		OI_TRY(commit(r, f, lba, n));
	for (uint32_t i = 0; i < n; i++)
		todo[i] = r->sst[i] == OI_MAP_BAD;
	for (uint32_t i = 0; i < n; i++)
		if (todo[i])
			OI_TRY(rip_sector(r, f, lba + (int32_t)i));
	return OPTIMG_OK;
}

static const struct rip_file *
file_at(const struct rip *r, int32_t lba)
{
	for (unsigned i = 0; i < r->nfiles; i++)
		if (lba >= r->files[i].first &&
		    lba - r->files[i].first < (int64_t)r->files[i].count)
			return &r->files[i];
	return NULL;
}

/* Sectors from lba to the end of the drive fragment holding it. */
static uint32_t
frag_left(const struct rip *r, int32_t lba)
{
	for (unsigned i = 0; i < r->img->nfrags; i++) {
		const struct oi_fragment *fr = &r->img->frags[i];
		if (lba >= fr->lba && lba - fr->lba < (int64_t)fr->count)
			return fr->count - (uint32_t)(lba - fr->lba);
	}
	return BATCH;
}

static uint32_t
done_count(const struct rip *r)
{
	return oi_map_count(&r->map, OI_MAP_GOOD) +
	    oi_map_count(&r->map, OI_MAP_KEPT) +
	    oi_map_count(&r->map, OI_MAP_COOKED) +
	    oi_map_count(&r->map, OI_MAP_REBUILT) +
	    oi_map_count(&r->map, OI_MAP_GAP);
}

static int
read_all(struct rip *r)
{
	int32_t start, cursor = r->map.first;
	uint32_t count;
	int rc = OPTIMG_OK;

	r->st.todo = (uint32_t)(r->map.end - r->map.first) - done_count(r);
	r->st.bad = oi_map_count(&r->map, OI_MAP_BAD);
	while (rc == OPTIMG_OK && !ask_stop(r) &&
	    oi_map_next_todo(&r->map, cursor, &start, &count)) {
		const struct rip_file *f = file_at(r, start);
		uint32_t n;

		assert(f != NULL);
		n = OI_MIN(OI_MIN(count, BATCH),
		    (uint32_t)(f->first + (int64_t)f->count - start));
		/* A batch stays in one track (a CloneCD rip's one file holds
		 * them all): each fragment is a track. */
		n = OI_MIN(n, frag_left(r, start));
		r->st.lba = start;
		rc = rip_batch(r, f, start, n);
		cursor = start + (int32_t)n;
		r->st.done += n;
		r->st.bad = oi_map_count(&r->map, OI_MAP_BAD);
		/* The map after every batch, whatever happened in it. */
		if (rc == OPTIMG_OK || rc == OPTIMG_ECANCELED) {
			int src = oi_map_save(&r->map, r->map_path, r->err);
			if (src < 0)
				rc = src;
		} else {
			struct optimg_error ignored;
			(void)oi_map_save(&r->map, r->map_path, &ignored);
		}
	}
	if (rc == OPTIMG_ECANCELED)
		r->stop = true;
	return rc == OPTIMG_ECANCELED ? OPTIMG_OK : rc;
}

/* ---- the plan: output files, map, part files ----------------------------- */

static void
fingerprint(const struct rip *r, char out[OI_MAP_DISC_MAX])
{
	const struct optimg_disc *d = r->disc;
	uLong crc = crc32(0L, Z_NULL, 0);
	char buf[96];

	for (unsigned i = 0; i < d->ntracks; i++) {
		const struct optimg_track *t = &d->tracks[i];
		int n = snprintf(buf, sizeof(buf), "%u:%d:%u:%ld:%lu:%lu;",
		    t->number, (int)t->mode, t->sector_size, (long)t->start,
		    (unsigned long)t->pregap, (unsigned long)t->length);
		crc = crc32(crc, (const Bytef *)buf, (uInt)n);
	}
	snprintf(out, OI_MAP_DISC_MAX, "%08lx-%ut-%lds", crc & 0xffffffffUL,
	    d->ntracks, (long)r->disc_end);
}

static int
add_file(struct rip *r, unsigned track, const char *name, unsigned size)
{
	const struct optimg_track *t = &r->disc->tracks[track];
	struct rip_file *f = &r->files[r->nfiles];
	size_t n = strlen(name) + 8;
	char *hidden = malloc(n);

	if (hidden == NULL)
		return oi_set_error(r->err, OPTIMG_ENOMEM, "out of memory");
	snprintf(hidden, n, ".%s.part", name);
	f->fd = -1;
	f->track = track;
	f->first = oi_track_stored_first(t);
	f->count = oi_track_stored_count(t);
	f->size = size;
	f->name = strdup(name);
	f->path = oi_path_join(r->dir, name);
	f->part = oi_path_join(r->dir, hidden);
	free(hidden);
	r->nfiles++;
	if (f->name == NULL || f->path == NULL || f->part == NULL)
		return oi_set_error(r->err, OPTIMG_ENOMEM, "out of memory");
	return OPTIMG_OK;
}

static int
plan_iso(struct rip *r)
{
	const struct optimg_disc *d = r->disc;
	size_t n = strlen(r->base) + 8;
	char *name;
	int rc;

	for (unsigned i = 0; i < d->ntracks; i++) {
		if (d->tracks[i].mode == OPTIMG_TRACK_AUDIO)
			continue;
		if (d->ntracks > 1)
			oi_image_warn(r->img, "only track %u, the first data "
			    "track, goes into the ISO; rip to a .cue to keep "
			    "all %u tracks", d->tracks[i].number, d->ntracks);
		if ((name = malloc(n)) == NULL)
			return oi_set_error(r->err, OPTIMG_ENOMEM,
			    "out of memory");
		snprintf(name, n, "%s.iso", r->base);
		rc = add_file(r, i, name, OPTIMG_USER_SECTOR);
		free(name);
		return rc;
	}
	return oi_set_error(r->err, OPTIMG_ELOSSY, "the disc has no data "
	    "track to put into an ISO; rip it to a .cue");
}

/*
 * A CloneCD rip: one part file of every sector from LBA 0 to the
 * lead-out, each with its subchannel, split into NAME.img and NAME.sub
 * when complete.
 */
static int
plan_ccd(struct rip *r)
{
	const struct optimg_disc *d = r->disc;
	size_t n = strlen(r->base) + 8;
	char *name = malloc(n);
	int rc;

	if (name == NULL)
		return oi_set_error(r->err, OPTIMG_ENOMEM, "out of memory");
	snprintf(name, n, "%s.img", r->base);
	rc = add_file(r, 0, name, OPTIMG_RAW_SUB_SECTOR);
	free(name);
	OI_TRY(rc);
	r->files[0].first = 0;
	r->files[0].count = (uint32_t)r->disc_end;
	if (d->nsessions != 1 || r->disc_first != 0 || r->disc_end <= 0)
		return oi_set_error(r->err, OPTIMG_EUNSUPP, "a CloneCD rip "
		    "holds one session from sector 0; this disc has %u "
		    "sessions: rip it to a .cue", d->nsessions);
	if (d->tracks[0].sector_size == OPTIMG_USER_SECTOR)
		return oi_set_error(r->err, OPTIMG_EUNSUPP, "a DVD or BD has "
		    "no subchannel to keep: rip it to an .iso");
	if (r->opts->offset != 0) {
		oi_set_error(r->err, OPTIMG_EINVAL, "a CloneCD rip keeps "
		    "sectors and subchannel as the drive frames them; a read "
		    "offset applies to .cue rips");
		return oi_error_about(r->err, OPTIMG_OPTION_OFFSET);
	}
	return OPTIMG_OK;
}

/* NAME.EXT beside the output, malloc'd. */
static char *
sibling(const struct rip *r, const char *ext)
{
	size_t n = strlen(r->dir) + strlen(r->base) + strlen(ext) + 2;
	char *p = malloc(n);

	if (p != NULL)
		snprintf(p, n, "%s/%s%s", r->dir, r->base, ext);
	return p;
}

static int
plan_files(struct rip *r)
{
	const char *ext = r->to == OPTIMG_OUTPUT_ISO ? ".iso" :
	    r->to == OPTIMG_OUTPUT_CCD ? ".ccd" : ".cue";
	size_t n;

	OI_TRY(oi_output_split(r->out_path, ext, &r->dir, &r->base, r->err));
	r->files = calloc(r->disc->ntracks, sizeof(*r->files));
	n = strlen(r->dir) + strlen(r->base) + 8;
	r->map_path = malloc(n);
	r->hash_path = malloc(n);
	if (r->files == NULL || r->map_path == NULL || r->hash_path == NULL)
		return oi_set_error(r->err, OPTIMG_ENOMEM, "out of memory");
	snprintf(r->map_path, n, "%s/%s.map", r->dir, r->base);
	snprintf(r->hash_path, n, "%s/%s.hash", r->dir, r->base);
	if (r->to == OPTIMG_OUTPUT_ISO)
		return plan_iso(r);
	if (r->to == OPTIMG_OUTPUT_CCD) {
		if ((r->sub_path = sibling(r, ".sub")) == NULL)
			return oi_set_error(r->err, OPTIMG_ENOMEM,
			    "out of memory");
		return plan_ccd(r);
	}
	for (unsigned i = 0; i < r->disc->ntracks; i++) {
		char *name = oi_redump_track_name(r->base, r->disc, i);
		int rc;

		if (name == NULL)
			return oi_set_error(r->err, OPTIMG_ENOMEM,
			    "out of memory");
		rc = add_file(r, i, name, r->disc->tracks[i].sector_size);
		free(name);
		OI_TRY(rc);
	}
	return OPTIMG_OK;
}

static int
check_new(struct rip *r, const char *path)
{
	struct stat st;

	if (r->opts->force || lstat(path, &st) != 0)
		return OPTIMG_OK;
	oi_set_error(r->err, OPTIMG_EEXIST, "'%s' already exists", path);
	return oi_error_remedy(r->err, OPTIMG_OPTION_REPLACE,
	    OPTIMG_OPTION_NONE);
}

/*
 * No output may be the image being ripped or one of its files, nor lie
 * inside them (the placement rule every command follows).
 */
static int
check_placement(struct rip *r, const char *device)
{
	struct optimg_image *img = NULL;
	const char **in;
	unsigned n = 0, ns = 0;
	struct stat st;
	int rc = OPTIMG_OK;

	if (device == NULL || stat(device, &st) != 0 || !S_ISREG(st.st_mode))
		return OPTIMG_OK;
	/* Our own reader names the files a sheet uses; others: the file. */
	if ((img = optimg_image_new()) != NULL &&
	    optimg_image_open(img, device) == OPTIMG_OK)
		ns = img->nstreams;
	in = calloc(ns + 1, sizeof(*in));
	if (in == NULL)
		rc = oi_set_error(r->err, OPTIMG_ENOMEM, "out of memory");
	for (unsigned i = 0; in != NULL && i < ns; i++)
		in[n++] = img->streams[i].path;
	if (in != NULL)
		in[n++] = device;
	for (unsigned i = 0; i < r->nfiles && rc == OPTIMG_OK; i++)
		rc = oi_place_check(r->files[i].path, in, n, r->err);
	if (rc == OPTIMG_OK)
		rc = oi_place_check(r->out_path, in, n, r->err);
	if (rc == OPTIMG_OK)
		rc = oi_place_check(r->hash_path, in, n, r->err);
	if (rc == OPTIMG_OK)
		rc = oi_place_check(r->map_path, in, n, r->err);
	if (rc == OPTIMG_OK && r->sub_path != NULL)
		rc = oi_place_check(r->sub_path, in, n, r->err);
	free(in);
	optimg_image_free(img);
	return rc;
}

static int
check_outputs(struct rip *r)
{
	for (unsigned i = 0; i < r->nfiles; i++)
		OI_TRY(check_new(r, r->files[i].path));
	if (r->to != OPTIMG_OUTPUT_ISO)
		OI_TRY(check_new(r, r->out_path));
	if (r->sub_path != NULL)
		OI_TRY(check_new(r, r->sub_path));
	return check_new(r, r->hash_path);
}

/* The lead-outs and lead-ins between sessions: nothing to read there. */
static int
mark_gaps(struct rip *r)
{
	for (unsigned i = 0; i < r->img->nfrags; i++) {
		const struct oi_fragment *f = &r->img->frags[i];
		if ((f->fill == OI_FILL_LEADOUT || f->fill == OI_FILL_LEADIN) &&
		    f->lba >= r->map.first &&
		    f->lba + (int64_t)f->count <= r->map.end)
			OI_TRY(mark(r, f->lba, f->count, OI_MAP_GAP));
	}
	return OPTIMG_OK;
}

static int
load_map(struct rip *r, char disc[OI_MAP_DISC_MAX])
{
	const char *output = r->to == OPTIMG_OUTPUT_ISO ? "iso" :
	    r->to == OPTIMG_OUTPUT_CCD ? "ccd" : "cue";
	struct oi_rescue_map *m = &r->map;
	int32_t first = r->files[0].first;
	const struct rip_file *last = &r->files[r->nfiles - 1];
	int32_t end = last->first + (int32_t)last->count;
	int rc;

	if (r->opts->force) {
		/* A failure shows when the file is opened again. */
		(void)unlink(r->map_path);
		for (unsigned i = 0; i < r->nfiles; i++)
			(void)unlink(r->files[i].part);
	}
	rc = oi_map_load(r->map_path, m, r->err);
	if (rc == OPTIMG_ENOENT) {
		oi_error_clear(r->err);
		if (oi_map_init(m, first, end) < 0)
			return oi_set_error(r->err, OPTIMG_ENOMEM,
			    "out of memory");
		snprintf(m->disc, sizeof(m->disc), "%s", disc);
		snprintf(m->output, sizeof(m->output), "%s", output);
		m->offset = r->opts->offset;
		m->unit = r->files[0].size;
		return mark_gaps(r);
	}
	OI_TRY(rc);
	r->res->resumed = true;
	/* A map without a unit predates CRCs: its extents get re-read. */
	if (m->unit == 0)
		m->unit = r->files[0].size;
	if (strcmp(m->disc, disc) != 0 || strcmp(m->output, output) != 0 ||
	    m->offset != r->opts->offset || m->first != first || m->end != end ||
	    m->unit != r->files[0].size) {
		oi_set_error(r->err, OPTIMG_EINVAL, "rescue map '%s' belongs "
		    "to another disc or other options (disc %s, output %s, "
		    "read offset %d; this rip: %s, %s, %d); remove it",
		    r->map_path, m->disc, m->output, m->offset, disc, output,
		    r->opts->offset);
		return oi_error_remedy(r->err, OPTIMG_OPTION_RESTART,
		    OPTIMG_OPTION_NONE);
	}
	return OPTIMG_OK;
}

static mode_t
current_umask(void)
{
	mode_t m = umask(022);

	umask(m);
	return m;
}

static int
open_part(struct rip *r, struct rip_file *f)
{
	off_t want = (off_t)f->count * f->size;
	struct stat st;

	f->fd = open(f->part, O_RDWR | O_CLOEXEC | O_NOFOLLOW);
	if (f->fd < 0 && errno == ENOENT) {
		/* Whatever the map says is good here is gone. */
		OI_TRY(mark(r, f->first, f->count, OI_MAP_UNTRIED));
		f->fd = open(f->part, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC,
		    0666 & ~current_umask());
	}
	if (f->fd < 0)
		return oi_set_errno(r->err, OPTIMG_EIO, "cannot open '%s'",
		    f->part);
	if (fstat(f->fd, &st) != 0 || !S_ISREG(st.st_mode))
		return oi_set_error(r->err, OPTIMG_EIO,
		    "'%s' is not a regular file", f->part);
	if (st.st_size != want && ftruncate(f->fd, want) != 0)
		return oi_set_errno(r->err, OPTIMG_EIO, "cannot size '%s'",
		    f->part);
	return OPTIMG_OK;
}

/*
 * CRC32 of the part-file bytes of sectors [lba, lba + n), which may span
 * files.
 */
static int
part_crc(struct rip *r, int32_t lba, uint32_t n, uint32_t *out)
{
	uLong crc = crc32(0L, Z_NULL, 0);
	size_t cap = (size_t)BATCH * OPTIMG_RAW_SECTOR;

	while (n > 0) {
		const struct rip_file *f = file_at(r, lba);
		uint32_t k;
		size_t len;
		ssize_t got;

		assert(f != NULL);
		k = OI_MIN(n, (uint32_t)(f->first + (int64_t)f->count - lba));
		k = OI_MIN(k, (uint32_t)(cap / f->size));
		len = (size_t)k * f->size;
		got = pread(f->fd, r->out, len,
		    (off_t)(lba - f->first) * f->size);
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0)
			return oi_set_errno(r->err, OPTIMG_EIO,
			    "cannot read '%s'", f->part);
		if ((size_t)got < len)	/* cut short: cannot match */
			memset(r->out + got, 0, len - (size_t)got);
		crc = crc32_z(crc, r->out, len);
		lba += (int32_t)k;
		n -= k;
	}
	*out = (uint32_t)crc;
	return OPTIMG_OK;
}

/*
 * A resumed rip trusts the part files only where they hold what the map
 * says: each done extent's bytes must have its CRC32.  Extents that do
 * not (a .part cut short, changed, or written after the map was saved
 * and lost in a crash), or that carry no CRC, are read again.
 */
static int
check_parts(struct rip *r)
{
	struct oi_rescue_map *m = &r->map;
	struct oi_map_extent *ext;
	unsigned n = m->n;
	uint32_t redo = 0;
	int rc = OPTIMG_OK;

	/* A copy: marking extents untried reshapes the map. */
	if ((ext = oi_reallocarray(NULL, n, sizeof(*ext))) == NULL)
		return oi_set_error(r->err, OPTIMG_ENOMEM, "out of memory");
	memcpy(ext, m->ext, n * sizeof(*ext));
	for (unsigned i = 0; i < n && rc == OPTIMG_OK; i++) {
		uint32_t crc = 0;

		if (!oi_map_done(ext[i].status) || ext[i].status == OI_MAP_GAP)
			continue;
		if (ext[i].hashed)
			rc = part_crc(r, ext[i].start, ext[i].count, &crc);
		if (rc < 0 || (ext[i].hashed && crc == ext[i].crc))
			continue;
		redo += ext[i].count;
		rc = mark(r, ext[i].start, ext[i].count, OI_MAP_UNTRIED);
	}
	free(ext);
	OI_TRY(rc);
	r->res->reread = redo;
	if (redo > 0)
		oi_image_warn(r->img, "%lu sectors that '%s' says are read do "
		    "not match the CRC kept for them in the part files (cut "
		    "short or changed); reading them again",
		    (unsigned long)redo, r->map_path);
	return OPTIMG_OK;
}

/*
 * One rip at a time for an output: a second one on the same name would
 * write the same part files and map.  The lock file is removed at the
 * end; a run that locked a file someone removed meanwhile tries again.
 */
static int
lock_output(struct rip *r)
{
	size_t n = strlen(r->dir) + strlen(r->base) + 16;
	struct stat a, b;

	if ((r->lock_path = malloc(n)) == NULL)
		return oi_set_error(r->err, OPTIMG_ENOMEM, "out of memory");
	snprintf(r->lock_path, n, "%s/.%s.rip-lock", r->dir, r->base);
	for (int tries = 0; tries < 10; tries++) {
		r->lock_fd = open(r->lock_path, O_RDWR | O_CREAT | O_CLOEXEC |
		    O_NOFOLLOW, 0666 & ~current_umask());
		if (r->lock_fd < 0 && (errno == ENOENT || errno == ENOTDIR))
			return oi_set_error(r->err, OPTIMG_EIO, "cannot write "
			    "'%s': its folder '%s' is not there",
			    r->out_path, r->dir);
		if (r->lock_fd < 0)
			return oi_set_errno(r->err, OPTIMG_EIO,
			    "cannot create '%s'", r->lock_path);
		if (flock(r->lock_fd, LOCK_EX | LOCK_NB) != 0) {
			close(r->lock_fd);
			r->lock_fd = -1;
			return errno == EWOULDBLOCK ?
			    oi_set_error(r->err, OPTIMG_EEXIST, "another rip is "
			    "writing '%s' (it holds '%s')", r->out_path,
			    r->lock_path) :
			    oi_set_errno(r->err, OPTIMG_EIO, "cannot lock '%s'",
			    r->lock_path);
		}
		if (fstat(r->lock_fd, &a) == 0 && lstat(r->lock_path, &b) == 0 &&
		    a.st_dev == b.st_dev && a.st_ino == b.st_ino)
			return OPTIMG_OK;
		close(r->lock_fd);
		r->lock_fd = -1;
	}
	return oi_set_error(r->err, OPTIMG_EIO, "cannot lock '%s': it keeps "
	    "being replaced", r->lock_path);
}

static void
unlock_output(struct rip *r)
{
	if (r->lock_fd < 0)
		return;
	(void)unlink(r->lock_path);
	close(r->lock_fd);
	r->lock_fd = -1;
}

/* ---- a complete dump: hashes, cue sheet, final names ------------------ */

static void
put_xml(FILE *out, const char *s)
{
	for (; *s != '\0'; s++)
		switch (*s) {
		case '&': fputs("&amp;", out); break;
		case '<': fputs("&lt;", out); break;
		case '>': fputs("&gt;", out); break;
		case '"': fputs("&quot;", out); break;
		default: putc(*s, out); break;
		}
}

/*
 * What a dump holds that was not read raw and checked, one line each, for
 * the hash file and the cue sheet: never let a rebuilt bin pass for a
 * raw dump.  prefix and suffix frame each line.
 */
static void
put_notes(const struct rip *r, FILE *out, const char *prefix,
    const char *suffix)
{
	const struct optimg_rip_result *res = r->res;

	if (res->rebuilt > 0)
		fprintf(out, "%sRECONSTRUCTED, not a raw dump: %lu sectors "
		    "rebuilt from user data read cooked, as the drive returns "
		    "corrupt raw sectors or none%s\n",
		    prefix, (unsigned long)res->rebuilt, suffix);
	if (res->cooked > 0)
		fprintf(out, "%s%lu sectors of user data from cooked reads: "
		    "their raw sectors fail EDC/ECC or cannot be read raw%s\n",
		    prefix, (unsigned long)res->cooked, suffix);
	if (res->kept > 0)
		fprintf(out, "%s%lu sectors fail their EDC/ECC check the same "
		    "way on every read; kept as read%s\n", prefix,
		    (unsigned long)res->kept, suffix);
}

static int
hash_text(struct rip *r, char **text, size_t *len)
{
	FILE *out = open_memstream(text, len);

	if (out == NULL)
		return oi_set_error(r->err, OPTIMG_ENOMEM, "out of memory");
	put_notes(r, out, "<!-- optimg rip: ", " -->");
	for (unsigned i = 0; i < r->res->nfiles; i++) {
		const struct optimg_rip_file *rf = &r->res->files[i];
		char crc[9], md5[33], sha1[41];

		optimg_hashes_hex(&rf->hashes, crc, md5, sha1);
		fputs("<rom name=\"", out);
		put_xml(out, rf->name);
		fprintf(out, "\" size=\"%llu\" crc=\"%s\" md5=\"%s\" "
		    "sha1=\"%s\" />\n", (unsigned long long)rf->hashes.size,
		    crc, md5, sha1);
	}
	if (fclose(out) != 0)
		return oi_set_error(r->err, OPTIMG_ENOMEM, "out of memory");
	return OPTIMG_OK;
}

static int
write_small(struct oi_outfile *of, const char *path, const char *text,
    size_t len, struct optimg_error *err)
{
	/* Outputs were checked before reading began; replace what appeared
	 * since rather than lose a finished dump. */
	OI_TRY(oi_outfile_open(of, path, true, err));
	OI_TRY(oi_outfile_write(of, text, len, err));
	return oi_outfile_finish(of, err);
}

/* REM lines with the notes go first in the cue sheet. */
static int
add_cue_notes(struct rip *r, char **text, size_t *len)
{
	char *notes = NULL, *both;
	size_t n = 0;
	FILE *out = open_memstream(&notes, &n);

	if (out == NULL)
		return oi_set_error(r->err, OPTIMG_ENOMEM, "out of memory");
	put_notes(r, out, "REM OPTIMG \"", "\"");
	if (fclose(out) != 0 || (both = malloc(n + *len + 1)) == NULL) {
		free(notes);
		return oi_set_error(r->err, OPTIMG_ENOMEM, "out of memory");
	}
	memcpy(both, notes, n);
	memcpy(both + n, *text, *len + 1);
	free(notes);
	free(*text);
	*text = both;
	*len += n;
	return OPTIMG_OK;
}

static int
finish_files(struct rip *r, struct oi_outfile *cue, struct oi_outfile *hash)
{
	char *text = NULL;
	size_t len = 0;
	int rc;

	for (unsigned i = 0; i < r->nfiles; i++) {
		struct rip_file *f = &r->files[i];
		if (fsync(f->fd) != 0 || close(f->fd) != 0) {
			f->fd = -1;
			return oi_set_errno(r->err, OPTIMG_EIO,
			    "cannot write '%s'", f->part);
		}
		f->fd = -1;
		OI_TRY(oi_hash_file(f->part, &r->res->files[i].hashes, NULL, NULL,
		    r->err));
	}
	if (r->to == OPTIMG_OUTPUT_CUE) {
		const char **names = calloc(r->nfiles, sizeof(*names));
		if (names == NULL)
			return oi_set_error(r->err, OPTIMG_ENOMEM,
			    "out of memory");
		for (unsigned i = 0; i < r->nfiles; i++)
			names[i] = r->files[i].name;
		rc = oi_cue_sheet_text(r->disc, names, &text, &len, r->err);
		free(names);
		if (rc == OPTIMG_OK)
			rc = add_cue_notes(r, &text, &len);
		if (rc == OPTIMG_OK)
			rc = write_small(cue, r->out_path, text, len, r->err);
		free(text);
		OI_TRY(rc);
	}
	OI_TRY(hash_text(r, &text, &len));
	rc = write_small(hash, r->hash_path, text, len, r->err);
	free(text);
	return rc;
}

/*
 * A complete CloneCD rip: NAME.img, NAME.sub and NAME.ccd from the part
 * file (rip_ccd.c), the hash file, then the part file goes.
 */
static int
finish_ccd(struct rip *r)
{
	struct rip_file *f = &r->files[0];
	struct oi_outfile hash = { .fd = -1 };
	struct oi_rip_ccd c;
	char *text = NULL;
	size_t len = 0;
	int rc;

	memset(&c, 0, sizeof(c));
	c.img.fd = c.sub.fd = c.ccd.fd = -1;
	rc = oi_rip_ccd_write(&c, &r->img->disc, f->fd, f->part, r->disc_end,
	    r->dir, r->base, r->err);
	if (rc == OPTIMG_OK) {
		r->res->files[0].hashes = c.hashes[0];
		r->res->files[1].hashes = c.hashes[1];
		rc = hash_text(r, &text, &len);
	}
	if (rc == OPTIMG_OK)
		rc = write_small(&hash, r->hash_path, text, len, r->err);
	free(text);
	if (rc == OPTIMG_OK)
		rc = oi_rip_ccd_commit(&c, r->err);
	if (rc == OPTIMG_OK)
		rc = oi_outfile_commit(&hash, r->err);
	oi_rip_ccd_abort(&c);
	oi_outfile_abort(&hash);
	if (rc != OPTIMG_OK)
		return rc;
	close(f->fd);
	f->fd = -1;
	if (unlink(f->part) != 0)
		oi_image_warn(r->img, "cannot remove '%s': %s", f->part,
		    strerror(errno));
	r->res->hash_path = strdup(r->hash_path);
	return OPTIMG_OK;
}

static int
finish(struct rip *r)
{
	struct oi_outfile cue = { .fd = -1 }, hash = { .fd = -1 };
	int rc;

	if (r->to == OPTIMG_OUTPUT_CCD)
		return finish_ccd(r);
	rc = finish_files(r, &cue, &hash);

	/* Bins first: a cue that appears always has its data beside it. */
	for (unsigned i = 0; i < r->nfiles && rc == OPTIMG_OK; i++)
		if (rename(r->files[i].part, r->files[i].path) != 0)
			rc = oi_set_errno(r->err, OPTIMG_EIO, "cannot rename "
			    "'%s' to '%s'", r->files[i].part,
			    r->files[i].path);
	if (rc == OPTIMG_OK && r->to == OPTIMG_OUTPUT_CUE)
		rc = oi_outfile_commit(&cue, r->err);
	if (rc == OPTIMG_OK)
		rc = oi_outfile_commit(&hash, r->err);
	oi_outfile_abort(&cue);
	oi_outfile_abort(&hash);
	if (rc == OPTIMG_OK)
		r->res->hash_path = strdup(r->hash_path);
	return rc;
}

/* ---- results ----------------------------------------------------------- */

static int
make_result(struct rip *r)
{
	struct optimg_rip_result *res = calloc(1, sizeof(*res));

	r->res = res;
	if (res == NULL)
		return oi_set_error(r->err, OPTIMG_ENOMEM, "out of memory");
	return OPTIMG_OK;
}

static int
fill_result(struct rip *r)
{
	struct optimg_rip_result *res = r->res;

	/* The gaps between sessions hold no sector of the dump. */
	res->sectors = (uint32_t)(r->map.end - r->map.first) -
	    oi_map_count(&r->map, OI_MAP_GAP);
	res->good = oi_map_count(&r->map, OI_MAP_GOOD);
	res->kept = oi_map_count(&r->map, OI_MAP_KEPT);
	res->cooked = oi_map_count(&r->map, OI_MAP_COOKED);
	res->rebuilt = oi_map_count(&r->map, OI_MAP_REBUILT);
	res->rawfail = oi_map_count(&r->map, OI_MAP_RAWFAIL);
	res->bad = oi_map_count(&r->map, OI_MAP_BAD);
	res->untried = oi_map_count(&r->map, OI_MAP_UNTRIED);
	res->bad_extents = oi_map_extents(&r->map, OI_MAP_BAD);
	res->complete = done_count(r) == (uint32_t)(r->map.end - r->map.first);
	res->reconstructed = res->complete && res->rebuilt > 0;
	res->interrupted = r->stop && !res->complete;
	/* A CloneCD rip's one part file becomes NAME.img and NAME.sub. */
	res->nfiles = r->nfiles + (r->to == OPTIMG_OUTPUT_CCD);
	res->files = calloc(res->nfiles, sizeof(*res->files));
	res->map_path = strdup(r->map_path);
	if (res->files == NULL || res->map_path == NULL)
		return oi_set_error(r->err, OPTIMG_ENOMEM, "out of memory");
	for (unsigned i = 0; i < r->nfiles; i++) {
		const struct rip_file *f = &r->files[i];
		struct optimg_rip_file *rf = &res->files[i];
		uint32_t good = 0;

		for (unsigned k = 0; k < r->map.n; k++) {
			const struct oi_map_extent *e = &r->map.ext[k];
			int64_t lo = OI_MAX((int64_t)e->start, (int64_t)f->first);
			int64_t hi = OI_MIN((int64_t)e->start + e->count,
			    (int64_t)f->first + f->count);
			if (oi_map_done(e->status) && lo < hi)
				good += (uint32_t)(hi - lo);
		}
		rf->name = strdup(f->name);
		if (rf->name == NULL)
			return oi_set_error(r->err, OPTIMG_ENOMEM,
			    "out of memory");
		rf->track = r->to == OPTIMG_OUTPUT_CCD ? 0 :
		    r->disc->tracks[f->track].number;
		rf->sectors = f->count;
		rf->missing = f->count - good;
	}
	if (r->to == OPTIMG_OUTPUT_CCD) {
		struct optimg_rip_file *sub = &res->files[1];
		*sub = res->files[0];
		sub->name = malloc(strlen(r->base) + 5);
		if (sub->name == NULL)
			return oi_set_error(r->err, OPTIMG_ENOMEM,
			    "out of memory");
		sprintf(sub->name, "%s.sub", r->base);
	}
	return OPTIMG_OK;
}

void
optimg_rip_result_free(struct optimg_rip_result *res)
{
	if (res == NULL)
		return;
	for (unsigned i = 0; i < res->nfiles; i++)
		free(res->files[i].name);
	free(res->files);
	free(res->map_path);
	free(res->hash_path);
	free(res);
}

/* ---- the whole rip ------------------------------------------------------- */

static enum optimg_output
output_of(const struct optimg_rip_opts *o, const char *out)
{
	size_t n = strlen(out);

	if (o->to != OPTIMG_OUTPUT_AUTO)
		return o->to;
	if (n > 4 && strcasecmp(out + n - 4, ".iso") == 0)
		return OPTIMG_OUTPUT_ISO;
	if (n > 4 && strcasecmp(out + n - 4, ".cue") == 0)
		return OPTIMG_OUTPUT_CUE;
	if (n > 4 && strcasecmp(out + n - 4, ".ccd") == 0)
		return OPTIMG_OUTPUT_CCD;
	return OPTIMG_OUTPUT_AUTO;
}

/*
 * A CloneCD rip needs the drive's subchannel: ask for the first sector's
 * before anything is written, and say plainly when there is none.
 */
static int
check_sub(struct rip *r)
{
	uint8_t *buf = malloc(OPTIMG_RAW_SUB_SECTOR);
	int rc;

	if (buf == NULL)
		return oi_set_error(r->err, OPTIMG_ENOMEM, "out of memory");
	rc = r->img->reader.read(r->img->reader.ctx, 0, 1,
	    OPTIMG_RAW_SUB_SECTOR, buf, r->err);
	free(buf);
	if (rc == OPTIMG_EUNSUPP) {
		char why[OPTIMG_ERRMSG_MAX];
		snprintf(why, sizeof(why), "%s", r->err->message);
		return oi_set_error(r->err, OPTIMG_EUNSUPP, "cannot rip to a "
		    "CloneCD image: %s; rip to a .cue (no subchannel)", why);
	}
	oi_error_clear(r->err);
	return OPTIMG_OK;
}

static int
setup(struct rip *r, const char *device)
{
	const struct optimg_rip_opts *o = r->opts;
	char disc[OI_MAP_DISC_MAX];
	struct optimg_error serr;

	if (r->to == OPTIMG_OUTPUT_AUTO)
		return oi_set_error(r->err, OPTIMG_EINVAL, "cannot tell the "
		    "output format from '%s'; name it .cue, .iso or .ccd",
		    r->out_path);
	if (o->offset < -MAX_OFFSET || o->offset > MAX_OFFSET) {
		oi_set_error(r->err, OPTIMG_EINVAL, "a read offset of %d is "
		    "more than %d samples", o->offset, MAX_OFFSET);
		return oi_error_about(r->err, OPTIMG_OPTION_OFFSET);
	}
	if (o->fault_plan != NULL)
		OI_TRY(oi_fault_parse(o->fault_plan, &r->faults, r->err));
	OI_TRY(optimg_drive_open(device, o->warning, o->warning_ctx, &r->drv,
	    r->err));
	r->img = optimg_drive_image(r->drv);
	/* An image driver's cooked read is the bytes of its raw one; only a
	 * drive, or injected raw faults, give a second opinion. */
	r->cooked_says = !optimg_drive_info(r->drv)->image ||
	    oi_fault_covers(&r->faults, INT32_MIN, OI_FAULT_RAWBAD) ||
	    oi_fault_covers(&r->faults, INT32_MIN, OI_FAULT_NORAW);
	r->disc = optimg_image_disc(r->img);
	r->disc_first = r->img->nfrags > 0 ? r->img->frags[0].lba : 0;
	r->disc_end = oi_image_end_lba(r->img);
	if (o->speed != 0 && optimg_drive_set_speed(r->drv, o->speed,
	    &serr) < 0)
		oi_image_warn(r->img, "cannot set the speed: %s",
		    serr.message);
	OI_TRY(plan_files(r));
	if (r->to == OPTIMG_OUTPUT_CCD)
		OI_TRY(check_sub(r));
	/* The image's own name: a stand-in image may be named "sim:..." */
	OI_TRY(check_placement(r, r->img->path));
	OI_TRY(lock_output(r));
	OI_TRY(check_outputs(r));
	fingerprint(r, disc);
	OI_TRY(load_map(r, disc));
	for (unsigned i = 0; i < r->nfiles; i++)
		OI_TRY(open_part(r, &r->files[i]));
	r->raw = malloc((size_t)(BATCH + 1) * OPTIMG_RAW_SUB_SECTOR);
	r->out = malloc((size_t)BATCH * OPTIMG_RAW_SUB_SECTOR);
	r->cooked = malloc((size_t)BATCH * OPTIMG_USER_SECTOR);
	r->prev = malloc(OPTIMG_RAW_SUB_SECTOR);
	if (r->raw == NULL || r->out == NULL || r->cooked == NULL ||
	    r->prev == NULL)
		return oi_set_error(r->err, OPTIMG_ENOMEM, "out of memory");
	if (r->res->resumed)
		OI_TRY(check_parts(r));
	return oi_map_save(&r->map, r->map_path, r->err);
}

static void
release(struct rip *r)
{
	for (unsigned i = 0; i < r->nfiles; i++) {
		if (r->files[i].fd >= 0)
			close(r->files[i].fd);
		free(r->files[i].name);
		free(r->files[i].path);
		free(r->files[i].part);
	}
	free(r->files);
	oi_map_release(&r->map);
	oi_fault_release(&r->faults);
	optimg_drive_free(r->drv);
	free(r->dir);
	free(r->base);
	free(r->map_path);
	free(r->hash_path);
	free(r->sub_path);
	unlock_output(r);
	free(r->lock_path);
	free(r->raw);
	free(r->out);
	free(r->cooked);
	free(r->prev);
}

static int
outcome(struct rip *r)
{
	const struct optimg_rip_result *res = r->res;

	if (res->complete)
		return finish(r);
	if (res->interrupted)
		return oi_set_error(r->err, OPTIMG_ECANCELED, "interrupted; "
		    "'%s' says what is read: run the same command again to go "
		    "on", r->map_path);
	if (res->rawfail > 0 && res->bad + res->untried == 0) {
		oi_set_error(r->err, OPTIMG_EIO, "%lu of %lu sectors cannot "
		    "be dumped raw: the drive %s, while their user data reads "
		    "cooked; rip to an .iso ('%s' lists them)",
		    (unsigned long)res->rawfail, (unsigned long)res->sectors,
		    r->no_raw ? "cannot read raw sectors" :
		    "returns corrupt raw sectors", r->map_path);
		return oi_error_remedy(r->err, OPTIMG_OPTION_RECONSTRUCT,
		    OPTIMG_OPTION_NONE);
	}
	return oi_set_error(r->err, OPTIMG_EIO, "%lu of %lu sectors could "
	    "not be read; '%s' lists them: run the same command again to "
	    "retry them", (unsigned long)(res->bad + res->untried),
	    (unsigned long)res->sectors, r->map_path);
}

int
optimg_rip(const char *device, const char *out_path,
    const struct optimg_rip_opts *opts, struct optimg_rip_result **res,
    struct optimg_error *err)
{
	struct rip r;
	int rc;

	memset(&r, 0, sizeof(r));
	r.lock_fd = -1;
	oi_error_clear(err);
	*res = NULL;
	r.opts = opts;
	r.err = err;
	r.out_path = out_path;
	r.to = output_of(opts, out_path);
	rc = make_result(&r);
	if (rc == OPTIMG_OK)
		rc = setup(&r, device);
	if (rc == OPTIMG_OK)
		rc = read_all(&r);
	if (rc == OPTIMG_OK)
		rc = fill_result(&r);
	if (rc == OPTIMG_OK)
		rc = outcome(&r);
	if (r.res != NULL && r.res->map_path != NULL)
		*res = r.res;
	else
		optimg_rip_result_free(r.res);
	release(&r);
	return rc;
}
