/*
 * drive_cdio.c - drives through libcdio: the one file that sees its types.
 *
 * A drive becomes an image like any other: its TOC fills the disc model
 * (tracks, modes, pregaps, flags, MCN, ISRC, CD-TEXT) and one callback
 * fragment per track sends reads to the drive (OI_FILL_CALLBACK), so every
 * reader of images works on a drive unchanged.
 *
 * libcdio's image drivers (BIN/CUE, cdrdao TOC, NRG) open as stand-in
 * drives; tests drive the same code path with them.  What they can do
 * (../shared/docs/library-facts.md):
 *  - raw 2352-byte reads only through cdio_read_audio_sectors(), for data
 *    tracks too; mmc_* functions must never be called on them (mmc_get_mcn
 *    jumps to address 0), so MMC is used only for operating-system drivers;
 *  - the bincue driver opens "<cue name>.bin" whatever FILE says;
 *  - libcdio logs to stdout unless its handler is replaced: ours forwards
 *    warnings to the image's warning callback and drops the rest.
 *
 * On a real drive raw sectors come from MMC READ CD with sync, headers,
 * EDC/ECC and, when the drive has them, C2 error pointers; a sector with
 * C2 errors fails the read so the caller retries it.  A drive without
 * READ CD (QEMU's SCSI CD, some USB and virtual drives: ILLEGAL REQUEST,
 * invalid opcode) makes raw reads fail with OPTIMG_EUNSUPP, and cooked
 * 2048-byte reads use READ(10), which every drive has.  Pregaps (INDEX
 * 00) come from subchannel Q there, since the TOC does not hold them.
 * CD, DVD or BD is what GET CONFIGURATION's current profile says (libcdio's
 * disc mode guess sends DVD READ STRUCTURE, which hangs QEMU's PIIX drive
 * and calls a DVD "CD-DATA"); DVD and BD discs are one MODE1/2048 track
 * read with cooked 2048-byte reads.  READ TOC goes out with its format in
 * byte 2 and, for formats 0-2, in bits 6-7 of byte 9 too, where ATAPI
 * drives of SFF-8020 look for it (QEMU's IDE drive answers format 0 to
 * anything else); a CD-TEXT answer must look like CD-TEXT packs.
 *
 * Reads of 2448 bytes a sector add the raw P-W subchannel (READ CD
 * sub-channel selection 001b), interleaved as drives return it; a drive
 * that refuses it, and libcdio's image drivers, which have none, make
 * them fail with OPTIMG_EUNSUPP.  So that subchannel paths can be tested
 * without a drive, a CloneCD .ccd (with its .img and .sub) opens through
 * our own reader as a stand-in drive that has subchannel: it shows only
 * what a drive's TOC shows, and its pregaps are found from Q as a
 * drive's are.
 */
#include "config.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cdio/cdio.h>
#include <cdio/cdtext.h>
#include <cdio/logging.h>
#include <cdio/mmc.h>
#include <cdio/mmc_ll_cmds.h>

#include "oi_private.h"
#include "rip.h"

/* Sectors a READ CD asks for: 27 x 2352 stays under 64 KiB. */
#define RAW_BATCH	27
#define C2_BATCH	24		/* 2646-byte blocks */
#define SUB_BATCH	26		/* 2448-byte blocks */
#define C2_SUB_BATCH	23		/* 2742-byte blocks */
#define C2_BYTES	294		/* one bit per byte of the sector */
#define LOG_MAX		50		/* libcdio messages passed on per drive */
#define MMC_TIMEOUT_MS	30000
#define CDTEXT_MAX	(4 + 8 * 256 * 18)	/* 8 blocks of 256 packs */

/* A device name that opens an image through our own readers. */
#define SIM_PREFIX	"sim:"

/* read_batch(): the drive has no such command. */
#define READ_UNSUPPORTED	1

struct optimg_drive {
	CdIo_t			*cdio;
	struct optimg_image	*img;
	struct optimg_drive_info info;
	char			 driver_name[16];
	uint8_t			*c2buf;
	bool			 no_read_cd;	/* ILLEGAL REQUEST for READ CD */
	bool			 no_sub;	/* ... for READ CD with P-W */
	/* A CloneCD image read by our own reader, standing in for a drive
	   that returns raw P-W subchannel (tests); NULL for libcdio's. */
	struct optimg_image	*sim;
	bool			 sim_sub;	/* it has a .sub */
	cdtext_t		*cdtext;	/* from READ TOC format 5 */
	unsigned		 logged;
	char			 last_log[256];	/* digits left out */
	unsigned		 repeats;	/* of last_log, not passed on */
};

/* ---- libcdio's log, routed to the drive in use ------------------------- */

/*
 * libcdio's handler is process-wide and has no context pointer, so the
 * drive whose call is under way is kept here for the length of the call.
 */
static __thread struct optimg_drive *log_drive;

/* The message without its digits: "reading into pre gap (lsn )". */
static void
skeleton(const char *message, char *out, size_t len)
{
	size_t n = 0;

	for (; *message != '\0' && n + 1 < len; message++)
		if (*message < '0' || *message > '9')
			out[n++] = *message;
	out[n] = '\0';
}

static void
log_flush_repeats(struct optimg_drive *d)
{
	if (d->repeats > 0 && d->logged <= LOG_MAX)
		oi_image_warn(d->img, "libcdio: %u more like the last",
		    d->repeats);
	d->repeats = 0;
}

static void
log_handler(cdio_log_level_t level, const char message[])
{
	struct optimg_drive *d = log_drive;
	char sk[sizeof(d->last_log)];

	if (d == NULL || level < CDIO_LOG_WARN || d->img == NULL)
		return;
	/* An NRG pregap read logs on every call, each with its own LSN:
	 * pass the first and count the rest. */
	skeleton(message, sk, sizeof(sk));
	if (d->logged > 0 && strcmp(sk, d->last_log) == 0) {
		d->repeats++;
		return;
	}
	log_flush_repeats(d);
	memcpy(d->last_log, sk, sizeof(sk));
	if (d->logged < LOG_MAX)
		oi_image_warn(d->img, "libcdio: %s", message);
	else if (d->logged == LOG_MAX)
		oi_image_warn(d->img, "libcdio: further messages left out");
	d->logged++;
}

/*
 * libcdio has one process-wide log handler.  Ours is installed only
 * while a call of ours runs (calls nest: the outermost one saves the
 * caller's handler) and the caller's is put back when it returns, so a
 * program that uses libcdio itself keeps its own logging.
 */
static cdio_log_handler_t saved_handler;
static unsigned log_depth;		/* calls inside, all threads */
static pthread_mutex_t log_mu = PTHREAD_MUTEX_INITIALIZER;

static struct optimg_drive *
log_enter(struct optimg_drive *d)
{
	struct optimg_drive *prev = log_drive;

	pthread_mutex_lock(&log_mu);
	if (log_depth++ == 0)
		saved_handler = cdio_log_set_handler(log_handler);
	pthread_mutex_unlock(&log_mu);
	log_drive = d;
	return prev;
}

static void
log_leave(struct optimg_drive *prev)
{
	log_drive = prev;
	pthread_mutex_lock(&log_mu);
	if (--log_depth == 0)
		cdio_log_set_handler(saved_handler);
	pthread_mutex_unlock(&log_mu);
}

/* ---- raw MMC commands (operating-system drivers only) ------------------ */

/* Sense key, ASC and ASCQ of the last command, as one number 0xKKAAQQ. */
static unsigned
last_sense(struct optimg_drive *d)
{
	cdio_mmc_request_sense_t *sense = NULL;
	unsigned v = 0;

	if (mmc_last_cmd_sense(d->cdio, &sense) >= 14 && sense != NULL)
		v = (unsigned)sense->sense_key << 16 |
		    (unsigned)sense->asc << 8 | sense->ascq;
	cdio_free(sense);
	return v;
}

/* ILLEGAL REQUEST: invalid command operation code, or invalid field. */
static bool
unsupported_sense(unsigned sense)
{
	return (sense & 0xffff00) == 0x052000 || (sense & 0xffff00) == 0x052400;
}

static int
mmc_in(struct optimg_drive *d, const mmc_cdb_t *cdb, void *buf, unsigned len)
{
	memset(buf, 0, len);
	return mmc_run_cmd(d->cdio, MMC_TIMEOUT_MS, cdb, SCSI_MMC_DATA_READ,
	    len, buf) == DRIVER_OP_SUCCESS ? 0 : -1;
}

/*
 * READ TOC/PMA/ATIP with the format in byte 2 and, for formats 0-2, in
 * byte 9 bits 6-7 as well (SFF-8020 ATAPI drives read it there, Linux's
 * cdrom layer and cdrdao send both).  Returns the bytes the answer says
 * it holds (its length field + 2, at most len), or -1.
 */
static int
read_toc_mmc(struct optimg_drive *d, unsigned format, unsigned track,
    uint8_t *buf, unsigned len)
{
	mmc_cdb_t cdb = { { 0 } };
	unsigned got;

	cdb.field[0] = CDIO_MMC_GPCMD_READ_TOC;
	cdb.field[1] = format == 2 ? 0x02 : 0;		/* MSF for the full TOC */
	cdb.field[2] = (uint8_t)(format & 0x0f);
	cdb.field[6] = (uint8_t)track;
	cdb.field[7] = (uint8_t)(len >> 8);
	cdb.field[8] = (uint8_t)len;
	cdb.field[9] = format <= 2 ? (uint8_t)(format << 6) : 0;
	if (mmc_in(d, &cdb, buf, len) != 0)
		return -1;
	got = ((unsigned)buf[0] << 8 | buf[1]) + 2;
	return (int)OI_MIN(got, len);
}

/*
 * The current profile of GET CONFIGURATION (MMC-5 5.3.1): 0x08 CD-ROM,
 * 0x09 CD-R, 0x0a CD-RW, 0x10-0x2b DVD, 0x40-0x43 BD, 0x50-0x5a HD DVD;
 * 0 when the drive does not say.
 */
static unsigned
current_profile(struct optimg_drive *d)
{
	mmc_cdb_t cdb = { { 0 } };
	uint8_t buf[8];

	cdb.field[0] = CDIO_MMC_GPCMD_GET_CONFIGURATION;
	cdb.field[1] = 0x02;		/* RT 10b: the feature header only */
	cdb.field[8] = sizeof(buf);
	if (mmc_in(d, &cdb, buf, sizeof(buf)) != 0)
		return 0;
	return (unsigned)buf[6] << 8 | buf[7];
}

static const char *
profile_name(unsigned p)
{
	static const struct {
		unsigned	 lo, hi;
		const char	*name;
	} names[] = {
		{ 0x08, 0x08, "CD-ROM" }, { 0x09, 0x09, "CD-R" },
		{ 0x0a, 0x0a, "CD-RW" }, { 0x10, 0x10, "DVD-ROM" },
		{ 0x11, 0x11, "DVD-R" }, { 0x12, 0x12, "DVD-RAM" },
		{ 0x13, 0x14, "DVD-RW" }, { 0x15, 0x16, "DVD-R DL" },
		{ 0x1a, 0x1a, "DVD+RW" }, { 0x1b, 0x1b, "DVD+R" },
		{ 0x2a, 0x2a, "DVD+RW DL" }, { 0x2b, 0x2b, "DVD+R DL" },
		{ 0x40, 0x40, "BD-ROM" }, { 0x41, 0x42, "BD-R" },
		{ 0x43, 0x43, "BD-RE" }, { 0x50, 0x5a, "HD DVD" },
	};

	for (unsigned i = 0; i < OI_ARRAY_SIZE(names); i++)
		if (p >= names[i].lo && p <= names[i].hi)
			return names[i].name;
	return NULL;
}

/*
 * CD-TEXT from READ TOC format 5, when the answer is CD-TEXT: whole
 * 18-byte packs whose first holds a pack type 0x80-0x8f.  A drive that
 * took the request for format 0 answers with a TOC, which is refused.
 */
static cdtext_t *
read_cdtext_mmc(struct optimg_drive *d)
{
	uint8_t *buf = malloc(CDTEXT_MAX);
	cdtext_t *ct = NULL;
	int n;

	if (buf == NULL)
		return NULL;
	n = read_toc_mmc(d, 5, 0, buf, CDTEXT_MAX);
	if (n > 4 && (n - 4) % 18 == 0 && buf[4] >= 0x80 && buf[4] <= 0x8f &&
	    (ct = cdtext_init()) != NULL &&
	    cdtext_data_init(ct, buf + 4, (size_t)n - 4) != 0) {
		cdtext_destroy(ct);
		ct = NULL;
	}
	free(buf);
	return ct;
}

/* n cooked sectors through READ(10), which every drive has. */
static int
read10(struct optimg_drive *d, lsn_t lsn, uint32_t n, uint8_t *buf)
{
	mmc_cdb_t cdb = { { 0 } };

	cdb.field[0] = CDIO_MMC_GPCMD_READ_10;
	cdb.field[2] = (uint8_t)(lsn >> 24);
	cdb.field[3] = (uint8_t)(lsn >> 16);
	cdb.field[4] = (uint8_t)(lsn >> 8);
	cdb.field[5] = (uint8_t)lsn;
	cdb.field[7] = (uint8_t)(n >> 8);
	cdb.field[8] = (uint8_t)n;
	return mmc_in(d, &cdb, buf, n * OPTIMG_USER_SECTOR);
}

/* ---- drivers ------------------------------------------------------------ */

static bool
is_mmc_driver(driver_id_t id)
{
	switch (id) {
	case DRIVER_AIX:
	case DRIVER_FREEBSD:
	case DRIVER_NETBSD:
	case DRIVER_LINUX:
	case DRIVER_SOLARIS:
	case DRIVER_OSX:
	case DRIVER_WIN32:
		return true;
	default:
		return false;
	}
}

static const char *
driver_name(driver_id_t id)
{
	static const struct {
		driver_id_t	 id;
		const char	*name;
	} names[] = {
		{ DRIVER_AIX, "aix" }, { DRIVER_FREEBSD, "freebsd" },
		{ DRIVER_NETBSD, "netbsd" }, { DRIVER_LINUX, "linux" },
		{ DRIVER_SOLARIS, "solaris" }, { DRIVER_OSX, "osx" },
		{ DRIVER_WIN32, "win32" }, { DRIVER_CDRDAO, "cdrdao" },
		{ DRIVER_BINCUE, "bincue" }, { DRIVER_NRG, "nrg" },
	};

	for (unsigned i = 0; i < OI_ARRAY_SIZE(names); i++)
		if (names[i].id == id)
			return names[i].name;
	return "unknown";
}

static bool
has_suffix(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);

	return n > m && strcasecmp(s + n - m, suffix) == 0;
}

/*
 * The bincue driver reads "<cue name>.bin" whatever the FILE lines say:
 * say so instead of letting it fail with a message about another file.
 */
static int
check_bincue_bin(const char *cue, struct optimg_error *err)
{
	size_t n = strlen(cue);
	char *bin = malloc(n + 1);
	int rc = OPTIMG_OK;

	if (bin == NULL)
		return oi_set_error(err, OPTIMG_ENOMEM, "out of memory");
	memcpy(bin, cue, n - 4);
	memcpy(bin + n - 4, ".bin", 5);
	if (access(bin, R_OK) != 0)
		rc = oi_set_errno(err, OPTIMG_EUNSUPP, "libcdio's cue driver "
		    "reads '%s' whatever the cue's FILE lines say (make it "
		    "with 'optimg convert', one bin)", bin);
	free(bin);
	return rc;
}

static int
open_cdio(struct optimg_drive *d, const char *path, struct optimg_error *err)
{
	driver_id_t id = DRIVER_DEVICE;
	struct stat st;

	if (path != NULL) {
		if (stat(path, &st) != 0)
			return oi_set_errno(err, errno == ENOENT ?
			    OPTIMG_ENOENT : OPTIMG_EIO, "cannot open '%s'",
			    path);
		if (S_ISDIR(st.st_mode))
			return oi_set_error(err, OPTIMG_EINVAL,
			    "'%s' is a directory, not a drive or image", path);
		if (has_suffix(path, ".cue")) {
			OI_TRY(check_bincue_bin(path, err));
			id = DRIVER_BINCUE;
		} else if (has_suffix(path, ".toc"))
			id = DRIVER_CDRDAO;
		else if (has_suffix(path, ".nrg"))
			id = DRIVER_NRG;
		else if (S_ISREG(st.st_mode))
			id = DRIVER_UNKNOWN;	/* let libcdio probe */
	}
	d->cdio = cdio_open(path, id);
	if (d->cdio == NULL)
		return path == NULL ?
		    oi_set_error(err, OPTIMG_ENOENT, "no optical drive found") :
		    oi_set_error(err, OPTIMG_EFORMAT, "libcdio cannot open "
		    "'%s' as a drive or a .cue/.toc/.nrg image", path);
	return OPTIMG_OK;
}

static void
probe_drive(struct optimg_drive *d)
{
	driver_id_t id = cdio_get_driver_id(d->cdio);
	struct optimg_drive_info *in = &d->info;
	cdio_drive_read_cap_t rcap = 0;
	cdio_drive_write_cap_t wcap = 0;
	cdio_drive_misc_cap_t mcap = 0;
	cdio_hwinfo_t hw;

	snprintf(d->driver_name, sizeof(d->driver_name), "%s",
	    driver_name(id));
	in->driver = d->driver_name;
	in->mmc = is_mmc_driver(id);
	in->image = id == DRIVER_BINCUE || id == DRIVER_CDRDAO ||
	    id == DRIVER_NRG;
	if (in->mmc) {
		cdio_get_drive_cap(d->cdio, &rcap, &wcap, &mcap);
		in->c2 = (rcap & CDIO_DRIVE_CAP_READ_C2_ERRS) != 0;
	}
	memset(&hw, 0, sizeof(hw));
	if (cdio_get_hwinfo(d->cdio, &hw)) {
		snprintf(in->vendor, sizeof(in->vendor), "%s", hw.psz_vendor);
		snprintf(in->model, sizeof(in->model), "%s", hw.psz_model);
		snprintf(in->revision, sizeof(in->revision), "%s",
		    hw.psz_revision);
	}
	in->profile = in->mmc ? current_profile(d) : 0;
	in->profile_name = profile_name(in->profile);
	if (in->profile != 0)
		in->dvd = in->profile >= 0x10;
	else
		in->dvd = cdio_is_discmode_dvd(cdio_get_discmode(d->cdio));
}

/* ---- reading ------------------------------------------------------------ */

/*
 * n raw sectors through READ CD, 2352 bytes each, or 2448 with the raw
 * P-W subchannel (sub-channel selection 001b) after them.  The drive puts
 * C2 pointers, when asked for, between the sector and its subchannel.
 */
static int
read_raw_mmc(struct optimg_drive *d, lsn_t lsn, uint32_t n, bool sub,
    uint8_t *buf)
{
	unsigned out = sub ? OPTIMG_RAW_SUB_SECTOR : OPTIMG_RAW_SECTOR;
	unsigned bs = out + (d->info.c2 ? C2_BYTES : 0);
	uint8_t *dst = d->info.c2 ? d->c2buf : buf;

	if (d->no_read_cd || (sub && d->no_sub))
		return READ_UNSUPPORTED;
	/* Any sector type; sync, all headers, user data, EDC/ECC. */
	if (mmc_read_cd(d->cdio, dst, lsn, 0, false, true, 3, true, true,
	    d->info.c2 ? 1 : 0, sub ? 1 : 0, (uint16_t)bs, n) !=
	    DRIVER_OP_SUCCESS) {
		if (!unsupported_sense(last_sense(d)))
			return -1;
		if (sub)
			d->no_sub = true;
		else
			d->no_read_cd = true;
		return READ_UNSUPPORTED;
	}
	for (uint32_t i = 0; d->info.c2 && i < n; i++) {
		const uint8_t *s = dst + (size_t)i * bs;
		const uint8_t *c2 = s + OPTIMG_RAW_SECTOR;
		uint8_t *o = buf + (size_t)i * out;
		for (unsigned k = 0; k < C2_BYTES; k++)
			if (c2[k] != 0)
				return -1;	/* retry it, as any error */
		memcpy(o, s, OPTIMG_RAW_SECTOR);
		if (sub)
			memcpy(o + OPTIMG_RAW_SECTOR, c2 + C2_BYTES,
			    OPTIMG_SUBCHANNEL);
	}
	return 0;
}

/* Sectors through the stand-in CloneCD image, any size it can give. */
static int
read_sim(struct optimg_drive *d, lsn_t lsn, uint32_t n, unsigned size,
    uint8_t *buf)
{
	if (size == OPTIMG_RAW_SUB_SECTOR && !d->sim_sub)
		return READ_UNSUPPORTED;
	if (optimg_image_read(d->sim, lsn, n, size, buf) < 0) {
		oi_image_warn(d->img, "%s", optimg_image_errmsg(d->sim));
		return -1;
	}
	return 0;
}

static int
read_batch(struct optimg_drive *d, lsn_t lsn, uint32_t n, unsigned size,
    uint8_t *buf)
{
	if (d->sim != NULL)
		return read_sim(d, lsn, n, size, buf);
	if (size == OPTIMG_RAW_SUB_SECTOR)
		return d->info.mmc ? read_raw_mmc(d, lsn, n, true, buf) :
		    READ_UNSUPPORTED;
	if (size == OPTIMG_USER_SECTOR && d->info.mmc &&
	    read10(d, lsn, n, buf) == 0)
		return 0;
	if (size == OPTIMG_USER_SECTOR)
		return cdio_read_data_sectors(d->cdio, buf, lsn,
		    OPTIMG_USER_SECTOR, n) == DRIVER_OP_SUCCESS ? 0 : -1;
	if (d->info.mmc)
		return read_raw_mmc(d, lsn, n, false, buf);
	/* Image drivers: the only raw path, and it serves data tracks too. */
	return cdio_read_audio_sectors(d->cdio, buf, lsn, n) ==
	    DRIVER_OP_SUCCESS ? 0 : -1;
}

/* Why the drive cannot give sectors of size bytes. */
static int
unsupported(const struct optimg_drive *d, unsigned size,
    struct optimg_error *err)
{
	if (size != OPTIMG_RAW_SUB_SECTOR)
		return oi_set_error(err, OPTIMG_EUNSUPP, "the drive has no "
		    "READ CD: ILLEGAL REQUEST, invalid command");
	if (d->sim != NULL)
		return oi_set_error(err, OPTIMG_EUNSUPP, "'%s' has no .sub "
		    "beside it: no subchannel to read", d->img->path);
	if (!d->info.mmc)
		return oi_set_error(err, OPTIMG_EUNSUPP, "libcdio's %s image "
		    "driver gives no subchannel", d->info.driver);
	return oi_set_error(err, OPTIMG_EUNSUPP, "the drive returns no raw "
	    "P-W subchannel with READ CD: ILLEGAL REQUEST");
}

static int
drive_read(void *ctx, int32_t lba, uint32_t count, unsigned size, void *buf,
    struct optimg_error *err)
{
	struct optimg_drive *d = ctx;
	struct optimg_drive *prev = log_enter(d);
	uint32_t batch = size != OPTIMG_RAW_SUB_SECTOR ?
	    (d->info.c2 ? C2_BATCH : RAW_BATCH) :
	    (d->info.c2 ? C2_SUB_BATCH : SUB_BATCH);
	uint8_t *dst = buf;
	int rc = OPTIMG_OK;

	while (count > 0) {
		uint32_t n = OI_MIN(count, batch);

		int got = read_batch(d, lba, n, size, dst);

		if (got == READ_UNSUPPORTED) {
			rc = unsupported(d, size, err);
			break;
		}
		if (got != 0) {
			rc = n == 1 ? oi_set_error(err, OPTIMG_EIO,
			    "cannot read sector %ld from the drive", (long)lba) :
			    oi_set_error(err, OPTIMG_EIO, "cannot read sectors "
			    "%ld-%ld from the drive", (long)lba,
			    (long)lba + (long)n - 1);
			break;
		}
		lba += (int32_t)n;
		count -= n;
		dst += (size_t)n * size;
	}
	log_leave(prev);
	return rc;
}

/* ---- the TOC into the disc model --------------------------------------- */

static void
set_text(char **field, const char *value)
{
	if (value != NULL && value[0] != '\0' && *field == NULL)
		*field = strdup(value);
}

static void
copy_cdtext(cdtext_t *ct, track_t track, struct optimg_cdtext *out)
{
	static const struct {
		cdtext_field_t			cdio;
		enum optimg_cdtext_field	ours;
	} map[] = {
		{ CDTEXT_FIELD_TITLE, OPTIMG_CDTEXT_TITLE },
		{ CDTEXT_FIELD_PERFORMER, OPTIMG_CDTEXT_PERFORMER },
		{ CDTEXT_FIELD_SONGWRITER, OPTIMG_CDTEXT_SONGWRITER },
		{ CDTEXT_FIELD_COMPOSER, OPTIMG_CDTEXT_COMPOSER },
		{ CDTEXT_FIELD_ARRANGER, OPTIMG_CDTEXT_ARRANGER },
		{ CDTEXT_FIELD_MESSAGE, OPTIMG_CDTEXT_MESSAGE },
		{ CDTEXT_FIELD_DISCID, OPTIMG_CDTEXT_DISC_ID },
		{ CDTEXT_FIELD_GENRE, OPTIMG_CDTEXT_GENRE },
		{ CDTEXT_FIELD_UPC_EAN, OPTIMG_CDTEXT_UPC_EAN },
	};

	if (ct == NULL)
		return;
	for (unsigned i = 0; i < OI_ARRAY_SIZE(map); i++)
		set_text(&out->field[map[i].ours],
		    cdtext_get_const(ct, map[i].cdio, track));
}

/* The disc's CD-TEXT: our own READ TOC on a drive, libcdio's on images. */
static cdtext_t *
disc_cdtext(struct optimg_drive *d)
{
	if (!d->info.mmc)
		return cdio_get_cdtext(d->cdio);
	if (d->cdtext == NULL && !d->info.dvd)
		d->cdtext = read_cdtext_mmc(d);
	return d->cdtext;
}

/* 13 digits, or nothing: the cue writer refuses anything else. */
static void
copy_mcn(struct optimg_drive *d, struct optimg_disc *disc)
{
	char *mcn = cdio_get_mcn(d->cdio);
	size_t n = mcn != NULL ? strspn(mcn, "0123456789") : 0;

	if (mcn != NULL && n == 13 && mcn[13] == '\0')
		memcpy(disc->catalog, mcn, 14);
	else if (mcn != NULL && mcn[0] != '\0')
		oi_image_warn(d->img, "catalog number '%.40s' is not 13 "
		    "digits; left out", mcn);
	cdio_free(mcn);
}

/* ISRC: 12 characters, CCOOOYYSSSSS; drives and TOC files add dashes. */
static void
copy_isrc(struct optimg_drive *d, track_t t, char isrc[13])
{
	char *s = cdio_get_track_isrc(d->cdio, t);
	unsigned n = 0;
	bool ok = true;

	for (const char *p = s; p != NULL && *p != '\0' && ok; p++) {
		if (*p == '-')
			continue;
		if (n == 12)
			ok = false;
		else
			isrc[n++] = *p;
	}
	isrc[n] = '\0';
	for (unsigned i = 0; i < n && ok; i++)
		ok = i < 5 ? (isrc[i] >= '0' && isrc[i] <= '9') ||
		    (isrc[i] >= 'A' && isrc[i] <= 'Z') :
		    isrc[i] >= '0' && isrc[i] <= '9';
	if (n != 12 || !ok) {
		if (s != NULL && s[0] != '\0')
			oi_image_warn(d->img, "track %u: ISRC '%.40s' is not "
			    "valid; left out", (unsigned)t, s);
		isrc[0] = '\0';
	}
	cdio_free(s);
}

static enum optimg_track_mode
track_mode(struct optimg_drive *d, track_t t, int *ok)
{
	switch (cdio_get_track_format(d->cdio, t)) {
	case TRACK_FORMAT_AUDIO:
		return OPTIMG_TRACK_AUDIO;
	case TRACK_FORMAT_CDI:
		return OPTIMG_TRACK_CDI;
	case TRACK_FORMAT_XA:
	case TRACK_FORMAT_PSX:
		return OPTIMG_TRACK_MODE2;
	case TRACK_FORMAT_DATA:
		return cdio_get_track_green(d->cdio, t) ? OPTIMG_TRACK_MODE2 :
		    OPTIMG_TRACK_MODE1;
	default:
		*ok = 0;
		return OPTIMG_TRACK_MODE1;
	}
}

/* A data track's first sector says its mode better than a TOC file. */
static void
confirm_mode(struct optimg_drive *d, struct optimg_track *t)
{
	uint8_t raw[OPTIMG_RAW_SECTOR];

	if (t->mode != OPTIMG_TRACK_MODE1 && t->mode != OPTIMG_TRACK_MODE2)
		return;
	if (read_batch(d, t->start, 1, OPTIMG_RAW_SECTOR, raw) != 0)
		return;
	if (optimg_sector_mode_of(raw) == OPTIMG_SECTOR_MODE1)
		t->mode = OPTIMG_TRACK_MODE1;
	else if (optimg_sector_mode_of(raw) != OPTIMG_SECTOR_AUDIO &&
	    raw[15] == 2)
		t->mode = OPTIMG_TRACK_MODE2;
}

/* The same from the raw P-W of a stand-in image; Q must pass its CRC. */
static bool
q_position_raw(struct optimg_drive *d, lsn_t lsn, int *track, int *index)
{
	uint8_t raw[OPTIMG_RAW_SUB_SECTOR], q[12];

	if (read_sim(d, lsn, 1, OPTIMG_RAW_SUB_SECTOR, raw) != 0)
		return false;
	oi_sub_q(raw + OPTIMG_RAW_SECTOR, q);
	if (!oi_subq_ok(q) || (q[0] & 0x0f) != 1)
		return false;
	*track = optimg_bcd_decode(q[1]);
	*index = optimg_bcd_decode(q[2]);
	return *track >= 0 && *index >= 0;
}

/*
 * Track and index of sector lsn from its formatted Q subchannel (MMC READ
 * CD, sub-channel selection 010b: 16 bytes, no main data).  Only ADR 1
 * (position) sectors say it; the odd sector carrying the MCN or an ISRC
 * instead counts as unknown.
 */
static bool
q_position(struct optimg_drive *d, lsn_t lsn, int *track, int *index)
{
	uint8_t q[16];

	if (d->sim != NULL)
		return q_position_raw(d, lsn, track, index);
	if (mmc_read_cd(d->cdio, q, lsn, 0, false, false, 0, false, false, 0,
	    2, sizeof(q), 1) != DRIVER_OP_SUCCESS || (q[0] & 0x0f) != 1)
		return false;
	*track = optimg_bcd_decode(q[1]);
	*index = optimg_bcd_decode(q[2]);
	return *track >= 0 && *index >= 0;
}

/*
 * Where track n's INDEX 00 starts, between the previous track's INDEX 01
 * and n's: a binary search over subchannel Q, since a pregap runs from
 * its first sector to INDEX 01.  Any doubt (a failed read, a sector
 * without position) gives CDIO_INVALID_LSN: no pregap is better than a
 * wrong one.  The tests exercise it through a stand-in CloneCD image.
 */
static lsn_t
q_pregap(struct optimg_drive *d, track_t n, lsn_t prev, lsn_t start)
{
	lsn_t lo = prev + 1, hi = start - 1;
	int track, index;

	if (!q_position(d, hi, &track, &index) || track != n || index != 0)
		return CDIO_INVALID_LSN;
	while (lo < hi) {
		lsn_t mid = lo + (hi - lo) / 2;
		if (!q_position(d, mid, &track, &index))
			return CDIO_INVALID_LSN;
		if (track == n && index == 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return lo;
}

static unsigned
track_flags(struct optimg_drive *d, track_t t, enum optimg_track_mode mode)
{
	unsigned flags = mode != OPTIMG_TRACK_AUDIO ? OPTIMG_FLAG_DATA : 0;

	if (cdio_get_track_copy_permit(d->cdio, t) == CDIO_TRACK_FLAG_TRUE)
		flags |= OPTIMG_FLAG_DCP;
	if (mode == OPTIMG_TRACK_AUDIO) {
		if (cdio_get_track_preemphasis(d->cdio, t) ==
		    CDIO_TRACK_FLAG_TRUE)
			flags |= OPTIMG_FLAG_PRE;
		if (cdio_get_track_channels(d->cdio, t) == 4)
			flags |= OPTIMG_FLAG_4CH;
	}
	return flags;
}

/*
 * Where the pregap search for a track starts: after the previous track's
 * INDEX 01, or for a track that opens a session inside its own pregap
 * (the lead-out and lead-in before it cannot be read).
 */
static lsn_t
search_from(lsn_t prev_start, lsn_t start, bool opens)
{
	return opens ? OI_MAX(prev_start, start - OI_SESSION_PREGAP - 1) :
	    prev_start;
}

static int
add_track(struct optimg_drive *d, track_t n, lsn_t prev_start, bool opens,
    lsn_t *first_out)
{
	struct optimg_image *img = d->img;
	struct optimg_track *t;
	lsn_t start = cdio_get_track_lsn(d->cdio, n);
	lsn_t pregap = cdio_get_track_pregap_lsn(d->cdio, n);
	int ok = 1;

	OI_TRY(oi_image_add_track(img, &t));
	t->number = n;
	t->mode = track_mode(d, n, &ok);
	if (!ok)
		return oi_set_error(&img->err, OPTIMG_EFORMAT,
		    "track %u: the drive reports no usable format", n);
	if (start == CDIO_INVALID_LSN || start < 0 || start <= prev_start)
		return oi_set_error(&img->err, OPTIMG_EFORMAT, "track %u: "
		    "start %ld is before the program area or an earlier "
		    "track", n, (long)start);
	t->start = start;
	t->sector_size = d->info.dvd ? OPTIMG_USER_SECTOR : OPTIMG_RAW_SECTOR;
	t->storage = d->info.dvd ? OPTIMG_STORE_PLAIN : OPTIMG_STORE_RAW;
	/* INDEX 00 where the image driver knows it, else from subchannel Q. */
	if (pregap == CDIO_INVALID_LSN && d->info.mmc && !d->info.dvd &&
	    prev_start >= 0)
		pregap = q_pregap(d, n, search_from(prev_start, start, opens),
		    start);
	/* A session's first track has its 2-second pregap (Orange Book). */
	if (pregap == CDIO_INVALID_LSN && opens)
		pregap = start - OI_SESSION_PREGAP;
	*first_out = prev_start < 0 ? 0 : start;
	if (pregap != CDIO_INVALID_LSN && pregap < start &&
	    pregap > prev_start && pregap >= 0) {
		t->index[0] = pregap;
		*first_out = pregap;
	}
	if (!d->info.dvd)
		confirm_mode(d, t);
	t->flags = track_flags(d, n, t->mode);
	copy_isrc(d, n, t->isrc);
	copy_cdtext(disc_cdtext(d), n, &t->cdtext);
	return OPTIMG_OK;
}

static int
add_fragment(struct optimg_drive *d, const struct optimg_track *t,
    int32_t first, int32_t end)
{
	struct oi_fragment f = {
		.lba = first,
		.count = (uint32_t)(end - first),
		.fill = OI_FILL_CALLBACK,
		.sector_size = t->sector_size,
		.mode = t->mode,
	};

	return oi_image_add_fragment(d->img, &f);
}

/*
 * Sectors before lba that the image does not store: the lead-out, lead-in
 * and pregap between sessions, which libcdio's cue driver leaves out.
 */
static int32_t
unstored_before(const struct optimg_image *img, int32_t lba)
{
	int64_t n = 0;

	for (unsigned i = 0; i < img->nfrags; i++) {
		const struct oi_fragment *f = &img->frags[i];
		if (f->fill != OI_FILL_FILE && f->lba + (int64_t)f->count <= lba)
			n += f->count;
	}
	return (int32_t)n;
}

/*
 * libcdio's cue driver drops REM SESSION: a sheet of several sessions
 * reads as one, its tracks run on without the gap between sessions.  Our
 * own reader of the same sheet knows them; its session numbers are taken
 * when its tracks are the drive's, number for number and start for start
 * once the unstored gaps are left out (else nothing is taken).
 */
static void
sessions_from_sheet(struct optimg_drive *d)
{
	struct optimg_disc *disc = &d->img->disc;
	struct optimg_image *own = optimg_image_new();
	const struct optimg_disc *o;
	bool same;

	if (own == NULL || optimg_image_open(own, d->img->path) < 0) {
		optimg_image_free(own);
		return;
	}
	o = optimg_image_disc(own);
	same = o->ntracks == disc->ntracks;
	for (unsigned i = 0; same && i < disc->ntracks; i++)
		same = o->tracks[i].number == disc->tracks[i].number &&
		    o->tracks[i].start - unstored_before(own,
		    o->tracks[i].start) == disc->tracks[i].start;
	for (unsigned i = 0; same && i < disc->ntracks; i++)
		disc->tracks[i].session = o->tracks[i].session;
	if (!same && o->nsessions > 1)
		oi_image_warn(d->img, "the sheet has %u sessions, but libcdio "
		    "places its tracks elsewhere; read as one session",
		    o->nsessions);
	optimg_image_free(own);
}

#define FULL_TOC_MAX	(4 + 11 * (99 + 3 * 99))

static bool
full_toc_sessions(struct optimg_drive *d, struct oi_toc_sessions *ts)
{
	uint8_t *buf;
	int n;
	bool ok;

	if (!d->info.mmc || d->info.dvd || (buf = malloc(FULL_TOC_MAX)) == NULL)
		return false;
	n = read_toc_mmc(d, 2, 1, buf, FULL_TOC_MAX);
	ok = n > 0 && oi_parse_full_toc(buf, (size_t)n, ts);
	free(buf);
	return ok;
}

/*
 * Whether the sessions fit tracks [first, first + n) starting at starts:
 * every track has one, they rise, and each session but the last has a
 * lead-out after its last track's start and before the next session's
 * first track.
 */
static bool
sessions_fit(const struct oi_toc_sessions *ts, track_t first, track_t n,
    const lsn_t *starts)
{
	for (track_t i = 0; i < n; i++) {
		unsigned sn = ts->session[first + i];
		if (sn == 0 || (i > 0 && sn < ts->session[first + i - 1]))
			return false;
		if (i + 1 < n && ts->session[first + i + 1] != sn &&
		    (ts->leadout[sn] <= starts[i] ||
		    ts->leadout[sn] >= starts[i + 1]))
			return false;
	}
	return true;
}

/*
 * One fragment a track, from firsts[i] on; between sessions, a lead-out
 * and a lead-in the model keeps as gaps (oi_image_add_session_gap), from
 * the session's lead-out ends[i] to the next session's first sector.
 */
static int
add_fragments(struct optimg_drive *d, const lsn_t *firsts,
    const int32_t *ends, lsn_t leadout)
{
	struct optimg_image *img = d->img;
	unsigned n = img->disc.ntracks;

	for (unsigned i = 0; i < n; i++) {
		const struct optimg_track *t = &img->disc.tracks[i];
		bool last = i + 1 == n;
		bool closes = !last &&
		    img->disc.tracks[i + 1].session != t->session;
		int32_t end = last ? leadout : closes ? ends[i] : firsts[i + 1];

		if (end <= t->start || (closes && end > firsts[i + 1]))
			return oi_set_error(&img->err, OPTIMG_EFORMAT, "session "
			    "%u: its lead-out (%ld) is not after track %u",
			    t->session, (long)end, t->number);
		OI_TRY(add_fragment(d, t, firsts[i], end));
		if (closes)
			OI_TRY(oi_image_add_session_gap(img, end,
			    firsts[i + 1]));
	}
	return OPTIMG_OK;
}

/*
 * Every session: on a drive, the full TOC says which track is in which
 * and where each session's lead-out is.  libcdio's image drivers say
 * neither; there a later session is left out (the cue driver, which
 * drops REM SESSION, gets its sessions from our own reader of the sheet).
 */
static int
read_toc(struct optimg_drive *d)
{
	struct optimg_image *img = d->img;
	track_t first = cdio_get_first_track_num(d->cdio);
	track_t n = cdio_get_num_tracks(d->cdio);
	lsn_t leadout = cdio_get_track_lsn(d->cdio, CDIO_CDROM_LEADOUT_TRACK);
	lsn_t prev = -1, starts[100], firsts[100];
	int32_t ends[100];
	lsn_t session2 = 0;
	struct oi_toc_sessions ts;
	bool have;

	if (first == CDIO_INVALID_TRACK || n == CDIO_INVALID_TRACK || n == 0 ||
	    first < 1 || first + n - 1 > 99)
		return oi_set_error(&img->err, OPTIMG_EFORMAT,
		    "no disc, or the drive cannot read its table of contents");
	for (track_t i = 0; i < n; i++)
		starts[i] = cdio_get_track_lsn(d->cdio, first + i);
	have = full_toc_sessions(d, &ts) && sessions_fit(&ts, first, n, starts);
	if (!have && cdio_get_last_session(d->cdio, &session2) !=
	    DRIVER_OP_SUCCESS)
		session2 = 0;
	copy_mcn(d, &img->disc);
	copy_cdtext(disc_cdtext(d), 0, &img->disc.cdtext);
	for (track_t i = 0; i < n; i++) {
		bool opens = have && i > 0 &&
		    ts.session[first + i] != ts.session[first + i - 1];
		if (!have && session2 > 0 && i > 0 && starts[i] >= session2) {
			oi_image_warn(img, "the disc has more than one "
			    "session, but the drive gives no full TOC; only "
			    "the first (tracks %u-%u) is read", first,
			    first + i - 1);
			n = i;
			leadout = cdio_get_track_last_lsn(d->cdio,
			    first + i - 1) + 1;
			break;
		}
		OI_TRY(add_track(d, first + i, prev, opens, &firsts[i]));
		img->disc.tracks[i].session = have ? ts.session[first + i] : 1;
		ends[i] = have ? ts.leadout[ts.session[first + i]] : 0;
		prev = img->disc.tracks[i].start;
	}
	if (leadout == CDIO_INVALID_LSN || leadout <= prev)
		return oi_set_error(&img->err, OPTIMG_EFORMAT,
		    "the lead-out (%ld) is not after the last track",
		    (long)leadout);
	OI_TRY(add_fragments(d, firsts, ends, leadout));
	if (d->info.image && has_suffix(img->path, ".cue"))
		sessions_from_sheet(d);
	return oi_image_finish_layout(img);
}

/*
 * A stand-in image tells what a drive's TOC and full TOC tell: track
 * numbers, INDEX 01, modes, control flags, ISRCs, MCN, sessions and their
 * lead-outs.  Pregaps come from its subchannel Q as on a drive (else a
 * session's first track gets the usual 2 seconds); the indices the image
 * lists are not passed on.
 */
static int
add_track_sim(struct optimg_drive *d, const struct optimg_track *s,
    lsn_t prev_start, bool opens, lsn_t *first_out)
{
	struct optimg_track *t;
	lsn_t pregap = CDIO_INVALID_LSN;

	OI_TRY(oi_image_add_track(d->img, &t));
	t->number = s->number;
	t->session = s->session;
	t->mode = s->mode;
	t->start = s->start;
	t->flags = s->flags;
	t->sector_size = OPTIMG_RAW_SECTOR;
	t->storage = OPTIMG_STORE_RAW;
	memcpy(t->isrc, s->isrc, sizeof(t->isrc));
	if (t->start <= prev_start)
		return oi_set_error(&d->img->err, OPTIMG_EFORMAT, "track %u: "
		    "start %ld is before an earlier track", t->number,
		    (long)t->start);
	*first_out = prev_start < 0 ? 0 : t->start;
	if (prev_start >= 0 && d->sim_sub)
		pregap = q_pregap(d, (track_t)t->number,
		    search_from(prev_start, t->start, opens), t->start);
	if (pregap == CDIO_INVALID_LSN && opens)
		pregap = t->start - OI_SESSION_PREGAP;
	if (pregap != CDIO_INVALID_LSN && pregap > prev_start) {
		t->index[0] = pregap;
		*first_out = pregap;
	}
	return OPTIMG_OK;
}

static int
read_toc_sim(struct optimg_drive *d)
{
	struct optimg_image *img = d->img;
	const struct optimg_disc *s = optimg_image_disc(d->sim);
	lsn_t prev = -1, firsts[100];
	int32_t ends[100];

	if (s->ntracks == 0 || s->ntracks > 99 || s->nsessions == 0)
		return oi_set_error(&img->err, OPTIMG_EUNSUPP, "a stand-in "
		    "image must hold 1-99 tracks");
	memcpy(img->disc.catalog, s->catalog, sizeof(img->disc.catalog));
	for (unsigned i = 0; i < s->ntracks; i++) {
		const struct optimg_track *t = &s->tracks[i];
		bool opens = i > 0 && t->session != t[-1].session;

		OI_TRY(add_track_sim(d, t, prev, opens, &firsts[i]));
		ends[i] = 0;
		for (unsigned k = 0; k < s->nsessions; k++)
			if (s->sessions[k].number == t->session)
				ends[i] = s->sessions[k].leadout;
		prev = t->start;
	}
	OI_TRY(add_fragments(d, firsts, ends,
	    s->sessions[s->nsessions - 1].leadout));
	return oi_image_finish_layout(img);
}

static int
open_sim(struct optimg_drive *d, const char *path, struct optimg_error *err)
{
	const struct optimg_disc *s;
	int rc;

	if ((d->sim = optimg_image_new()) == NULL)
		return oi_set_error(err, OPTIMG_ENOMEM, "out of memory");
	rc = optimg_image_open(d->sim, path);
	if (rc < 0)
		return oi_set_error(err, rc, "%s", optimg_image_errmsg(d->sim));
	s = optimg_image_disc(d->sim);
	d->sim_sub = s->ntracks > 0;
	for (unsigned i = 0; i < s->ntracks; i++)
		d->sim_sub &= s->tracks[i].subchannel;
	snprintf(d->driver_name, sizeof(d->driver_name), "optimg");
	d->info.driver = d->driver_name;
	d->info.image = true;
	return OPTIMG_OK;
}

/* ---- the drive object -------------------------------------------------- */

static int
drive_probe(const struct oi_probe *p)
{
	(void)p;
	return 0;	/* opened by name through optimg_drive_open() */
}

static int
drive_open_path(struct optimg_image *img, const char *path)
{
	(void)path;
	return oi_set_error(&img->err, OPTIMG_EUNSUPP,
	    "drives are opened with optimg_drive_open()");
}

static const struct oi_format oi_format_drive = {
	.name = "drive",
	.description = "optical drive",
	.probe = drive_probe,
	.open = drive_open_path,
};

static int
drive_setup(struct optimg_drive *d, const char *device, optimg_warning_fn warn,
    void *warn_ctx, struct optimg_error *err)
{
	int rc;

	d->img = optimg_image_new();
	if (d->img == NULL)
		return oi_set_error(err, OPTIMG_ENOMEM, "out of memory");
	optimg_image_set_warning_cb(d->img, warn, warn_ctx);
	if (device != NULL && strncmp(device, SIM_PREFIX,
	    strlen(SIM_PREFIX)) == 0)
		OI_TRY(open_sim(d, device + strlen(SIM_PREFIX), err));
	else if (device != NULL && has_suffix(device, ".ccd"))
		OI_TRY(open_sim(d, device, err));
	else {
		OI_TRY(open_cdio(d, device, err));
		probe_drive(d);
	}
	if (d->info.c2) {
		d->c2buf = malloc((size_t)C2_BATCH *
		    (OPTIMG_RAW_SECTOR + C2_BYTES));
		if (d->c2buf == NULL)
			return oi_set_error(err, OPTIMG_ENOMEM, "out of memory");
	}
	d->img->format = &oi_format_drive;
	d->img->path = strdup(d->sim != NULL ? optimg_image_path(d->sim) :
	    device != NULL ? device : "default drive");
	d->img->reader.read = drive_read;
	d->img->reader.cooked = true;
	d->img->reader.ctx = d;
	if (d->img->path == NULL)
		return oi_set_error(err, OPTIMG_ENOMEM, "out of memory");
	rc = d->sim != NULL ? read_toc_sim(d) : read_toc(d);
	if (rc < 0) {
		oi_set_error(err, rc, "'%s': %s", d->img->path,
		    optimg_image_errmsg(d->img));
		return rc;
	}
	return OPTIMG_OK;
}

int
optimg_drive_open(const char *device, optimg_warning_fn warn, void *warn_ctx,
    struct optimg_drive **out, struct optimg_error *err)
{
	struct optimg_drive *d = calloc(1, sizeof(*d));
	struct optimg_drive *prev;
	int rc;

	*out = NULL;
	oi_error_clear(err);
	if (d == NULL)
		return oi_set_error(err, OPTIMG_ENOMEM, "out of memory");
	prev = log_enter(d);
	rc = drive_setup(d, device, warn, warn_ctx, err);
	log_leave(prev);
	if (rc < 0) {
		optimg_drive_free(d);
		return rc;
	}
	*out = d;
	return OPTIMG_OK;
}

void
optimg_drive_free(struct optimg_drive *d)
{
	struct optimg_drive *prev;

	if (d == NULL)
		return;
	prev = log_enter(d);
	if (d->cdtext != NULL)
		cdtext_destroy(d->cdtext);
	if (d->cdio != NULL)
		cdio_destroy(d->cdio);
	optimg_image_free(d->sim);
	if (d->img != NULL)
		log_flush_repeats(d);
	log_leave(prev);
	optimg_image_free(d->img);
	free(d->c2buf);
	free(d);
}

struct optimg_image *
optimg_drive_image(struct optimg_drive *d)
{
	return d->img;
}

const struct optimg_drive_info *
optimg_drive_info(const struct optimg_drive *d)
{
	return &d->info;
}

int
optimg_drive_set_speed(struct optimg_drive *d, unsigned x,
    struct optimg_error *err)
{
	struct optimg_drive *prev;
	driver_return_code_t rc;

	if (d->info.image)
		return oi_set_error(err, OPTIMG_EUNSUPP,
		    "'%s' is an image; it has no speed to set", d->img->path);
	if (x > 255)
		return oi_set_error(err, OPTIMG_EINVAL,
		    "speed %ux is more than any drive reads", x);
	prev = log_enter(d);
	rc = cdio_set_speed(d->cdio, x == 0 ? -1 : (int)x);
	log_leave(prev);
	if (rc != DRIVER_OP_SUCCESS)
		return oi_set_error(err, OPTIMG_EIO,
		    "the drive did not accept speed %ux", x);
	return OPTIMG_OK;
}
