/*
 * burn.c - the one file that talks to libburn: drives, media, writing,
 * blanking and formatting.  No other file sees a libburn type.
 *
 * libburn is set up once per process and shut down at the last release:
 * burn_finish() is process-wide, so a call that finished it around its
 * own work would break another thread's burn (a GUI listing drives while
 * it burns).  Each public call holds a count for its duration, and a
 * caller may hold one longer with optimg_burner_hold().
 * libburn's messages are queued, never printed (the library never
 * prints); when a step fails, the most recent message of severity SORRY
 * or worse becomes the error text, so users read libburn's own reason in
 * one line.
 *
 * Track data reaches libburn through burn_sources of ours:
 *   - image sectors: each plan track reads its sectors from the image
 *     (optimg_image_read: 2048 bytes of a Mode 1 track, 2352 of audio),
 *     so whatever optimg reads can be burnt;
 *   - a stream: optimg_mkiso_write() runs in a thread and writes into a
 *     pipe whose other end our source reads, so a folder is burnt with no
 *     temporary image; each sector's CRC-32 is kept for the verify pass.
 * Each is wrapped in libburn's fifo, whose fill the progress reports.
 *
 * A stdio: pseudo-drive writes into a file without truncating it, so the
 * file is cut before a burn (not before --dummy, which writes nothing).
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <libburn/libburn.h>

#include "burn_private.h"

#define FIFO_BYTES	(4u << 20)
#define POLL_US		100000
#define READ_BATCH	64u	/* sectors per image read */

/* ---- libburn setup and messages ---------------------------------------- */

static pthread_mutex_t lb_mu = PTHREAD_MUTEX_INITIALIZER;
static unsigned lb_users;

/* Takes a count on libburn, initialising it for the first user. */
static int
lb_init(struct optimg_error *err)
{
	int rc = OPTIMG_OK;

	pthread_mutex_lock(&lb_mu);
	if (lb_users == 0) {
		if (!burn_initialize())
			rc = oi_set_error(err, OPTIMG_EIO,
			    "cannot initialise libburn");
		else	/* Queue everything, print nothing. */
			burn_msgs_set_severities("ALL", "NEVER", "libburn: ");
	}
	if (rc == OPTIMG_OK)
		lb_users++;
	pthread_mutex_unlock(&lb_mu);
	return rc;
}

/* Drops a count; the last one shuts libburn down. */
static void
lb_release(void)
{
	pthread_mutex_lock(&lb_mu);
	if (lb_users > 0 && --lb_users == 0)
		burn_finish();
	pthread_mutex_unlock(&lb_mu);
}

int
optimg_burner_hold(struct optimg_error *err)
{
	return lb_init(err);
}

void
optimg_burner_release(void)
{
	lb_release();
}

unsigned
oi_burn_users(void)
{
	unsigned n;

	pthread_mutex_lock(&lb_mu);
	n = lb_users;
	pthread_mutex_unlock(&lb_mu);
	return n;
}

/*
 * The latest queued message of severity SORRY or worse, or "" when there
 * is none; the queue is emptied.
 */
static void
lb_last_message(char *out, size_t len)
{
	char text[BURN_MSGS_MESSAGE_LEN], sev[80];
	int code, os_errno;

	out[0] = '\0';
	while (burn_msgs_obtain("SORRY", &code, text, &os_errno, sev) == 1) {
		size_t n = strlen(text);

		while (n > 0 && (text[n - 1] == '\n' || text[n - 1] == ' '))
			text[--n] = '\0';
		snprintf(out, len, "%s", text);
	}
	burn_msgs_obtain("NEVER", &code, text, &os_errno, sev);
}

/* Forgets what libburn queued: nothing of it is needed any more. */
static void
lb_drain(void)
{
	char text[BURN_MSGS_MESSAGE_LEN], sev[80];
	int code, os_errno;

	burn_msgs_obtain("NEVER", &code, text, &os_errno, sev);
}

/* Sets err to what, followed by libburn's last word when it said one. */
static int
lb_error(struct optimg_error *err, int code, const char *what)
{
	char msg[BURN_MSGS_MESSAGE_LEN];

	lb_last_message(msg, sizeof(msg));
	if (msg[0] != '\0')
		return oi_set_error(err, code, "%s: %s", what, msg);
	return oi_set_error(err, code, "%s", what);
}

/* ---- drives ------------------------------------------------------------ */

static uint32_t
one_x_of(int profile)
{
	if (oi_profile_is_cd(profile))
		return 176400;		/* 75 sectors of 2352 bytes */
	if (oi_profile_is_bd(profile))
		return 4495500;
	return 1385000;			/* DVD, and stdio files as xorriso */
}

static enum optimg_media_state
state_of(enum burn_disc_status s)
{
	switch (s) {
	case BURN_DISC_BLANK:
		return OPTIMG_MEDIA_BLANK;
	case BURN_DISC_APPENDABLE:
		return OPTIMG_MEDIA_APPENDABLE;
	case BURN_DISC_FULL:
		return OPTIMG_MEDIA_CLOSED;
	case BURN_DISC_UNSUITABLE:
		return OPTIMG_MEDIA_UNSUITABLE;
	default:
		return OPTIMG_MEDIA_NONE;
	}
}

static void
fill_speeds(struct burn_drive *d, int profile, struct optimg_burner_info *out)
{
	struct burn_speed_descriptor *list = NULL, *s;

	if (burn_drive_get_speedlist(d, &list) <= 0)
		return;
	for (s = list; s != NULL; s = s->next) {
		unsigned i, v = (unsigned)s->write_speed;

		if (s->write_speed <= 0 || (s->profile_loaded > 0 &&
		    s->profile_loaded != profile))
			continue;
		for (i = 0; i < out->nspeeds && out->speeds[i] != v; i++)
			;
		if (i < out->nspeeds || out->nspeeds == OPTIMG_BURNER_SPEEDS)
			continue;
		/* Insert, fastest first. */
		for (i = out->nspeeds; i > 0 && out->speeds[i - 1] < v; i--)
			out->speeds[i] = out->speeds[i - 1];
		out->speeds[i] = v;
		out->nspeeds++;
	}
	burn_drive_free_speedlist(&list);
}

static void
fill_info(struct burn_drive *d, const struct burn_drive_info *di,
    struct optimg_burner_info *out)
{
	char adr[BURN_DRIVE_ADR_LEN];
	int profile = 0;
	char name[80] = "";

	memset(out, 0, sizeof(*out));
	out->pseudo = burn_drive_get_drive_role(d) != 1;
	/* libburn gives a pseudo-drive's path; say how to address it. */
	if (burn_drive_d_get_adr(d, adr) > 0 &&
	    snprintf(out->address, sizeof(out->address), "%s%s",
	    out->pseudo && strncmp(adr, "stdio:", 6) != 0 ? "stdio:" : "",
	    adr) >= (int)sizeof(out->address))
		out->address[0] = '\0';	/* too long to name */
	snprintf(out->vendor, sizeof(out->vendor), "%s", di->vendor);
	snprintf(out->product, sizeof(out->product), "%s", di->product);
	snprintf(out->revision, sizeof(out->revision), "%s", di->revision);
	if (burn_disc_get_profile(d, &profile, name) > 0) {
		out->profile = profile;
		snprintf(out->media, sizeof(out->media), "%s", name);
	}
	out->state = state_of(burn_disc_get_status(d));
	out->erasable = burn_disc_erasable(d) > 0;
	if (out->state == OPTIMG_MEDIA_BLANK ||
	    out->state == OPTIMG_MEDIA_APPENDABLE)
		out->capacity = (uint64_t)burn_disc_available_space(d, NULL);
	fill_speeds(d, profile, out);
	out->one_x = one_x_of(profile);
}

/* burn_drive_scan() answers 0 while it is still scanning. */
static int
scan(struct burn_drive_info **list, unsigned *count)
{
	int rc;

	while ((rc = burn_drive_scan(list, count)) == 0)
		usleep(10000);
	return rc;
}

int
optimg_burner_scan(struct optimg_burner_info **out, unsigned *n,
    struct optimg_error *err)
{
	struct burn_drive_info *list = NULL;
	unsigned count = 0;
	int rc = OPTIMG_OK;

	*out = NULL;
	*n = 0;
	OI_TRY(lb_init(err));
	if (scan(&list, &count) < 0) {
		rc = lb_error(err, OPTIMG_EIO, "cannot scan for drives");
		goto out;
	}
	if (count > 0 && (*out = oi_calloc(count, sizeof(**out))) == NULL) {
		rc = oi_set_error(err, OPTIMG_ENOMEM, "out of memory");
		goto out;
	}
	for (unsigned i = 0; i < count; i++) {
		/* Media facts need the drive grabbed. */
		if (burn_drive_grab(list[i].drive, 1) > 0) {
			fill_info(list[i].drive, &list[i], &(*out)[*n]);
			burn_drive_release(list[i].drive, 0);
		} else {
			fill_info(list[i].drive, &list[i], &(*out)[*n]);
		}
		(*n)++;
	}
out:
	if (list != NULL)
		burn_drive_info_free(list);
	lb_drain();
	lb_release();
	return rc;
}

struct grab {
	struct burn_drive_info	*info;
	struct burn_drive	*d;
	bool			 scanned;	/* info is a scan list */
	unsigned		 index;
};

/* Grabs address, or the only drive there is when it is NULL. */
static int
grab(const char *address, struct grab *g, struct optimg_error *err)
{
	unsigned count = 0;

	memset(g, 0, sizeof(*g));
	if (address != NULL) {
		if (strlen(address) >= BURN_DRIVE_ADR_LEN)
			return oi_set_error(err, OPTIMG_EINVAL,
			    "drive address too long");
		if (burn_drive_scan_and_grab(&g->info, (char *)address,
		    1) <= 0) {
			g->info = NULL;
			return lb_error(err, OPTIMG_ENOENT, "cannot open drive");
		}
		g->d = g->info[0].drive;
		return OPTIMG_OK;
	}
	if (scan(&g->info, &count) < 0)
		return lb_error(err, OPTIMG_EIO, "cannot scan for drives");
	g->scanned = true;
	if (count != 1) {
		burn_drive_info_free(g->info);
		g->info = NULL;
		if (count == 0)
			return oi_set_error(err, OPTIMG_ENOENT,
			    "no optical drive found");
		oi_set_error(err, OPTIMG_EINVAL, "%u drives found", count);
		return oi_error_remedy(err, OPTIMG_OPTION_DRIVE,
		    OPTIMG_OPTION_NONE);
	}
	if (burn_drive_grab(g->info[0].drive, 1) <= 0) {
		burn_drive_info_free(g->info);
		g->info = NULL;
		return lb_error(err, OPTIMG_EIO, "cannot open the drive");
	}
	g->d = g->info[0].drive;
	return OPTIMG_OK;
}

static void
ungrab(struct grab *g, bool eject)
{
	if (g->d != NULL)
		burn_drive_release(g->d, eject);
	if (g->info != NULL)
		burn_drive_info_free(g->info);
	g->d = NULL;
	g->info = NULL;
}

int
optimg_burner_inquire(const char *address, struct optimg_burner_info *out,
    struct optimg_error *err)
{
	struct grab g;
	int rc;

	OI_TRY(lb_init(err));
	if ((rc = grab(address, &g, err)) == OPTIMG_OK) {
		fill_info(g.d, &g.info[0], out);
		ungrab(&g, false);
	}
	lb_release();
	return rc;
}

/* ---- our burn_sources -------------------------------------------------- */

struct src {
	struct optimg_image		*img;	/* image sectors, or */
	int				 fd;	/* a stream's pipe (-1) */
	const struct optimg_burn_track	*t;
	off_t				 size;	/* bytes libburn expects */
	off_t				 sent;
	uint8_t				*batch;	/* READ_BATCH sectors */
	size_t				 have, pos;	/* bytes in batch, used */
	uint32_t			 next;	/* next track sector to read */
	struct optimg_error		 err;	/* why it stopped */
	bool				 failed;
};

static int
refill_image(struct src *s)
{
	uint32_t n = OI_MIN(READ_BATCH, s->t->src_sectors - s->next);

	if (n == 0)
		return 0;
	if (optimg_image_read(s->img, s->t->src_lba + (int32_t)s->next, n,
	    s->t->block_size, s->batch) < 0) {
		oi_set_error(&s->err, OPTIMG_EIO, "%s",
		    optimg_image_errmsg(s->img));
		s->failed = true;
		return -1;
	}
	s->next += n;
	s->have = (size_t)n * s->t->block_size;
	s->pos = 0;
	return 1;
}

static int
refill_pipe(struct src *s)
{
	ssize_t r;

	do
		r = read(s->fd, s->batch, (size_t)READ_BATCH *
		    OPTIMG_USER_SECTOR);
	while (r < 0 && errno == EINTR);
	if (r < 0) {
		oi_set_errno(&s->err, OPTIMG_EIO, "reading the ISO stream");
		s->failed = true;
		return -1;
	}
	s->have = (size_t)r;
	s->pos = 0;
	return r > 0;
}

/*
 * libburn's read: the whole buffer, or the end.  A stream that ends early
 * is padded with zeros to the size it announced, so the disc comes out
 * the expected size; the stream's own error then fails the burn.
 */
static int
src_read(struct burn_source *bs, unsigned char *buf, int size)
{
	struct src *s = bs->data;
	int done = 0;

	while (done < size && s->sent + done < s->size) {
		int rc;

		if (s->pos == s->have) {
			rc = s->img != NULL ? refill_image(s) : refill_pipe(s);
			if (rc < 0)
				return -1;
			if (rc == 0) {
				memset(buf + done, 0, (size_t)(size - done));
				done = size;
				break;
			}
		}
		size_t take = OI_MIN(s->have - s->pos, (size_t)(size - done));
		memcpy(buf + done, s->batch + s->pos, take);
		s->pos += take;
		done += (int)take;
	}
	s->sent += done;
	return done;
}

static off_t
src_get_size(struct burn_source *bs)
{
	return ((struct src *)bs->data)->size;
}

static int
src_set_size(struct burn_source *bs, off_t size)
{
	((struct src *)bs->data)->size = size;
	return 1;
}

static void
src_free(struct burn_source *bs)
{
	struct src *s = bs->data;

	free(s->batch);
	free(s);
}

static struct burn_source *
src_new(struct optimg_image *img, int fd, const struct optimg_burn_track *t,
    struct src **ctx)
{
	struct burn_source *bs = calloc(1, sizeof(*bs));
	struct src *s = calloc(1, sizeof(*s));

	if (bs == NULL || s == NULL ||
	    (s->batch = malloc((size_t)READ_BATCH * OPTIMG_RAW_SECTOR)) ==
	    NULL) {
		free(bs);
		if (s != NULL)
			free(s->batch);
		free(s);
		return NULL;
	}
	s->img = img;
	s->fd = fd;
	s->t = t;
	s->size = (off_t)t->src_sectors * t->block_size;
	bs->refcount = 1;
	bs->read = NULL;
	bs->version = 1;
	bs->read_xt = src_read;
	bs->get_size = src_get_size;
	bs->set_size = src_set_size;
	bs->free_data = src_free;
	bs->data = s;
	*ctx = s;
	return bs;
}

/* ---- the ISO stream: optimg_mkiso_write() in a thread ------------------ */

struct feeder {
	struct optimg_mkiso	*mk;
	int			 fd;	/* write end, non-blocking */
	int			 stop;	/* set by the burner: give up */
	struct oi_sector_crcs	 crcs;
	struct optimg_error	 err;
	int			 rc;
	pthread_t		 thread;
	bool			 running;
};

/*
 * Writes into the pipe, waiting for room a tenth of a second at a time so
 * a burn that stopped reading can stop the feeder too.
 */
static int
feed_sink(void *ctx, const void *buf, size_t len)
{
	struct feeder *f = ctx;
	const uint8_t *p = buf;

	OI_TRY(oi_sector_crcs_add(&f->crcs, buf, len));
	while (len > 0) {
		struct pollfd pfd = { .fd = f->fd, .events = POLLOUT };
		ssize_t w;

		if (__atomic_load_n(&f->stop, __ATOMIC_ACQUIRE))
			return oi_set_error(&f->err, OPTIMG_ECANCELED,
			    "the burn stopped reading the ISO stream");
		w = write(f->fd, p, len);
		if (w < 0 && (errno == EAGAIN || errno == EINTR)) {
			poll(&pfd, 1, 100);
			continue;
		}
		if (w < 0)
			return oi_set_errno(&f->err, OPTIMG_EIO,
			    "streaming the ISO to the drive");
		p += w;
		len -= (size_t)w;
	}
	return OPTIMG_OK;
}

static void *
feed_main(void *arg)
{
	struct feeder *f = arg;
	sigset_t set;

	/* A write to a pipe nobody reads fails with EPIPE, not a signal. */
	sigemptyset(&set);
	sigaddset(&set, SIGPIPE);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	f->rc = optimg_mkiso_write(f->mk, feed_sink, f, &f->err);
	if (f->rc == OPTIMG_OK)
		f->rc = oi_sector_crcs_finish(&f->crcs);
	close(f->fd);
	f->fd = -1;
	return NULL;
}

static int
feeder_start(struct feeder *f, struct optimg_mkiso *mk, int *read_fd,
    struct optimg_error *err)
{
	int p[2];

	f->mk = mk;
	if (pipe2(p, O_CLOEXEC) < 0)
		return oi_set_errno(err, OPTIMG_EIO, "pipe");
#ifdef F_SETPIPE_SZ
	fcntl(p[1], F_SETPIPE_SZ, 1 << 20);
#endif
	fcntl(p[1], F_SETFL, O_NONBLOCK);
	f->fd = p[1];
	if (pthread_create(&f->thread, NULL, feed_main, f) != 0) {
		close(p[0]);
		close(p[1]);
		return oi_set_error(err, OPTIMG_EIO, "cannot start a thread");
	}
	f->running = true;
	*read_fd = p[0];
	return OPTIMG_OK;
}

/* Asks the feeder to stop if it is still going and waits for it. */
static void
feeder_join(struct feeder *f)
{
	__atomic_store_n(&f->stop, 1, __ATOMIC_RELEASE);
	if (f->running)
		pthread_join(f->thread, NULL);
	f->running = false;
}

/* ---- a plan as a burn_disc --------------------------------------------- */

static const struct {
	enum optimg_cdtext_field field;
	const char	*pack;		/* libburn's pack type name */
} cdtext_packs[] = {
	{ OPTIMG_CDTEXT_TITLE,		"TITLE" },
	{ OPTIMG_CDTEXT_PERFORMER,	"PERFORMER" },
	{ OPTIMG_CDTEXT_SONGWRITER,	"SONGWRITER" },
	{ OPTIMG_CDTEXT_COMPOSER,	"COMPOSER" },
	{ OPTIMG_CDTEXT_ARRANGER,	"ARRANGER" },
	{ OPTIMG_CDTEXT_MESSAGE,	"MESSAGE" },
	{ OPTIMG_CDTEXT_DISC_ID,	"DISCID" },
	{ OPTIMG_CDTEXT_UPC_EAN,	"UPC_ISRC" },
};

static const char *
cdtext_of(const struct optimg_cdtext *t, enum optimg_cdtext_field f)
{
	return t != NULL && t->field[f] != NULL ? t->field[f] : NULL;
}

static int
set_text(struct burn_session *s, struct burn_track *t, const char *pack,
    const char *text)
{
	size_t len = strlen(text) + 1;
	unsigned char *p = (unsigned char *)(uintptr_t)text;

	if (len > 160 * 12)	/* more than fits a language block */
		return 0;
	if (t != NULL)
		return burn_track_set_cdtext(t, 0, 0, (char *)pack, p,
		    (int)len, 0);
	return burn_session_set_cdtext(s, 0, 0, (char *)pack, p, (int)len, 0);
}

/*
 * CD-TEXT of the disc and each track.  Where a pack type is used at all,
 * every track gets one (empty when it has none), as libburn asks.  The
 * track's ISRC also goes into the UPC_ISRC pack, and the catalog into the
 * disc's, as libburn's own cue reader does.
 */
static int
add_cdtext(const struct optimg_burn_plan *p, struct burn_session *s,
    struct burn_track **tracks)
{
	for (size_t k = 0; k < OI_ARRAY_SIZE(cdtext_packs); k++) {
		enum optimg_cdtext_field f = cdtext_packs[k].field;
		const char *pack = cdtext_packs[k].pack;
		const char *disc = cdtext_of(p->cdtext, f);
		bool isrc = f == OPTIMG_CDTEXT_UPC_EAN;
		bool used = disc != NULL || (isrc && p->catalog[0] != '\0');

		for (unsigned i = 0; i < p->ntracks && !used; i++)
			used = cdtext_of(p->tracks[i].cdtext, f) != NULL ||
			    (isrc && p->tracks[i].isrc[0] != '\0');
		if (!used)
			continue;
		if (disc == NULL && isrc)
			disc = p->catalog;
		if (set_text(s, NULL, pack, disc != NULL ? disc : "") <= 0)
			return -1;
		for (unsigned i = 0; i < p->ntracks; i++) {
			const char *tt = cdtext_of(p->tracks[i].cdtext, f);

			if (tt == NULL && isrc)
				tt = p->tracks[i].isrc;
			if (set_text(NULL, tracks[i], pack,
			    tt != NULL ? tt : "") <= 0)
				return -1;
		}
	}
	return 0;
}

static int
track_mode(const struct optimg_burn_track *t)
{
	int mode = t->mode == OPTIMG_TRACK_AUDIO ? BURN_AUDIO : BURN_MODE1;

	if (t->flags & OPTIMG_FLAG_DCP)
		mode |= BURN_COPY;
	if (t->mode == OPTIMG_TRACK_AUDIO) {
		if (t->flags & OPTIMG_FLAG_PRE)
			mode |= BURN_PREEMPHASIS;
		if (t->flags & OPTIMG_FLAG_4CH)
			mode |= BURN_4CH;
		if (t->flags & OPTIMG_FLAG_SCMS)
			mode |= BURN_SCMS;
	}
	return mode;
}

/* Gaps and indices: CD SAO only, libburn ignores them otherwise. */
static int
track_layout(const struct optimg_burn_track *bt, struct burn_track *t)
{
	struct oi_burn_index ix[OPTIMG_MAX_INDEX];
	unsigned n = oi_burn_track_indices(bt, ix);

	if (bt->isrc[0] != '\0' &&
	    burn_track_set_isrc_string(t, (char *)bt->isrc, 0) <= 0)
		return -1;
	if (bt->pregap_zero > 0 &&
	    burn_track_set_pregap_size(t, (int)bt->pregap_zero, 0) <= 0)
		return -1;
	if (bt->postgap_zero > 0 &&
	    burn_track_set_postgap_size(t, (int)bt->postgap_zero, 0) <= 0)
		return -1;
	/* The default (one index 01 at the start) needs no call. */
	if (n == 1 && ix[0].number == 1 && ix[0].offset == 0)
		return 0;
	for (unsigned i = 0; i < n; i++)
		if (burn_track_set_index(t, (int)ix[i].number, ix[i].offset,
		    0) <= 0)
			return -1;
	return 0;
}

struct job {
	const struct optimg_burn_plan	*plan;
	struct burn_disc		*disc;
	struct burn_session		*session;
	struct burn_source		**fifos;	/* one per track */
	struct src			**srcs;
};

static void
job_free(struct job *j)
{
	if (j->fifos != NULL)
		for (unsigned i = 0; i < j->plan->ntracks; i++)
			if (j->fifos[i] != NULL)
				burn_source_free(j->fifos[i]);
	free(j->fifos);
	free(j->srcs);
	if (j->disc != NULL)
		burn_disc_free(j->disc);
	memset(j, 0, sizeof(*j));
}

static int
attach_source(struct job *j, unsigned i, struct burn_track *t,
    struct optimg_image *img, int fd)
{
	const struct optimg_burn_track *bt = &j->plan->tracks[i];
	struct burn_source *bs = src_new(img, fd, bt, &j->srcs[i]);
	int chunks = (int)(FIFO_BYTES / bt->block_size);

	if (bs == NULL)
		return -1;
	j->fifos[i] = burn_fifo_source_new(bs, (int)bt->block_size, chunks,
	    0);
	burn_source_free(bs);		/* the fifo holds it */
	if (j->fifos[i] == NULL ||
	    burn_track_set_source(t, j->fifos[i]) != BURN_SOURCE_OK)
		return -1;
	return 0;
}

/*
 * The plan as a disc of one session.  With neither img nor fd >= 0 the
 * tracks get no sources (enough to make CD-TEXT packs).
 */
static int
job_build(struct job *j, const struct optimg_burn_plan *p,
    struct optimg_image *img, int fd, struct optimg_error *err)
{
	struct burn_track **tracks;
	bool sources = img != NULL || fd >= 0;
	int rc = OPTIMG_OK;

	memset(j, 0, sizeof(*j));
	j->plan = p;
	tracks = oi_calloc(p->ntracks, sizeof(*tracks));
	j->fifos = oi_calloc(p->ntracks, sizeof(*j->fifos));
	j->srcs = oi_calloc(p->ntracks, sizeof(*j->srcs));
	j->disc = burn_disc_create();
	j->session = burn_session_create();
	if (tracks == NULL || j->fifos == NULL || j->srcs == NULL ||
	    j->disc == NULL || j->session == NULL ||
	    burn_disc_add_session(j->disc, j->session, BURN_POS_END) <= 0) {
		rc = oi_set_error(err, OPTIMG_ENOMEM, "out of memory");
		goto out;
	}
	if (p->tracks[0].number > 1 && burn_session_set_start_tno(j->session,
	    (int)p->tracks[0].number, 0) <= 0) {
		rc = lb_error(err, OPTIMG_EINVAL, "bad first track number");
		goto out;
	}
	for (unsigned i = 0; i < p->ntracks; i++) {
		const struct optimg_burn_track *bt = &p->tracks[i];

		if ((tracks[i] = burn_track_create()) == NULL) {
			rc = oi_set_error(err, OPTIMG_ENOMEM, "out of memory");
			goto out;
		}
		burn_track_define_data(tracks[i], 0, 0, 1, track_mode(bt));
		if (track_layout(bt, tracks[i]) < 0 || (sources &&
		    attach_source(j, i, tracks[i], img, fd) < 0) ||
		    burn_session_add_track(j->session, tracks[i],
		    BURN_POS_END) <= 0) {
			rc = lb_error(err, OPTIMG_EINVAL, "cannot describe "
			    "track to libburn");
			goto out;
		}
	}
	if (p->has_cdtext && add_cdtext(p, j->session, tracks) < 0)
		rc = lb_error(err, OPTIMG_EINVAL, "cannot set CD-TEXT");
out:
	if (tracks != NULL)
		for (unsigned i = 0; i < p->ntracks; i++)
			if (tracks[i] != NULL)
				burn_track_free(tracks[i]);
	free(tracks);
	/* The disc holds the session now. */
	if (j->session != NULL)
		burn_session_free(j->session);
	if (rc < 0)
		job_free(j);
	return rc;
}

int
optimg_burn_plan_cdtext_packs(const struct optimg_burn_plan *plan,
    uint8_t **packs, unsigned *n, struct optimg_error *err)
{
	struct job j;
	unsigned char *buf = NULL;
	int num = 0, rc;

	*packs = NULL;
	*n = 0;
	if (!plan->has_cdtext)
		return OPTIMG_OK;
	OI_TRY(lb_init(err));
	if ((rc = job_build(&j, plan, NULL, -1, err)) == OPTIMG_OK) {
		if (burn_cdtext_from_session(j.session, &buf, &num, 0) <= 0)
			rc = lb_error(err, OPTIMG_EINVAL, "libburn cannot make "
			    "CD-TEXT packs of it");
		job_free(&j);
	}
	lb_drain();
	lb_release();
	if (rc == OPTIMG_OK && num > 0) {
		*packs = buf;
		*n = (unsigned)num;
	} else {
		free(buf);
	}
	return rc;
}

/* ---- progress ---------------------------------------------------------- */

struct watch {
	struct burn_drive		*d;
	const struct optimg_burn_opts	*opts;
	const struct job		*job;	/* NULL: blank, format */
	uint64_t			 total;
	uint32_t			 one_x;
	const char			*phase;
	bool				 canceled;
};

static const char *
phase_of(enum burn_drive_status s, const char *dflt)
{
	switch (s) {
	case BURN_DRIVE_ERASING:
		return "blanking";
	case BURN_DRIVE_FORMATTING:
		return "formatting";
	case BURN_DRIVE_WRITING_LEADOUT:
	case BURN_DRIVE_CLOSING_TRACK:
	case BURN_DRIVE_CLOSING_SESSION:
		return "closing";
	case BURN_DRIVE_WRITING:
	case BURN_DRIVE_WRITING_LEADIN:
	case BURN_DRIVE_WRITING_PREGAP:
		return "writing";
	default:
		return dflt;
	}
}

static int
fifo_fill(const struct job *j, int track)
{
	int size = 0, free_bytes = 0;
	char *text;

	if (j == NULL || track < 0 || (unsigned)track >= j->plan->ntracks ||
	    j->fifos[track] == NULL ||
	    burn_fifo_inquire_status(j->fifos[track], &size, &free_bytes,
	    &text) < 0 || size <= 0)
		return -1;
	return (int)((int64_t)(size - free_bytes) * 100 / size);
}

static void
report(struct watch *w, enum burn_drive_status s,
    const struct burn_progress *bp)
{
	struct optimg_burn_progress p = {
		.phase = phase_of(s, w->phase),
		.ntracks = w->job != NULL ? w->job->plan->ntracks : 0,
		.track = (unsigned)bp->track + 1,
		.buffer_fill = -1,
		.one_x = w->one_x,
	};

	if (w->job != NULL) {
		p.total = w->total;
		if (bp->sectors > 0)
			p.done = (uint64_t)((double)w->total * bp->sector /
			    bp->sectors);
		if (p.done > p.total)
			p.done = p.total;
	} else {
		p.total = 0x10000;
		p.done = bp->sector > 0 ? (uint64_t)bp->sector : 0;
	}
	if (bp->buffer_capacity > 0)
		p.buffer_fill = (int)(100 - (uint64_t)bp->buffer_available *
		    100 / bp->buffer_capacity);
	p.fifo_fill = fifo_fill(w->job, bp->track);
	if (w->opts->progress != NULL && !w->canceled &&
	    w->opts->progress(w->opts->progress_ctx, &p) != 0) {
		w->canceled = true;
		burn_drive_cancel(w->d);
	}
}

/* Polls the drive until its operation ends, reporting progress. */
static void
wait_idle(struct watch *w)
{
	struct burn_progress bp;
	enum burn_drive_status s;

	while (burn_drive_get_status(w->d, NULL) == BURN_DRIVE_SPAWNING)
		usleep(POLL_US);
	memset(&bp, 0, sizeof(bp));
	while ((s = burn_drive_get_status(w->d, &bp)) != BURN_DRIVE_IDLE) {
		report(w, s, &bp);
		usleep(POLL_US);
	}
}

/* ---- checks before writing -------------------------------------------- */

static int
check_size(const struct optimg_burn_plan *p, struct burn_drive *d,
    struct burn_write_opts *wo, const struct optimg_burner_info *di,
    struct optimg_error *err)
{
	off_t avail = burn_disc_available_space(d, wo);

	return oi_burn_check_size(p, avail > 0 ? (uint64_t)avail : 0, di,
	    err);
}

/* Lets libburn pick (data) or check (audio: SAO) the write type. */
static int
check_write_type(const struct optimg_burn_plan *p, struct burn_write_opts *wo,
    struct burn_disc *disc, const struct optimg_burner_info *di,
    struct optimg_error *err)
{
	char reasons[BURN_REASONS_LEN];
	size_t n;

	reasons[0] = '\0';
	if (p->audio) {
		burn_write_opts_set_write_type(wo, BURN_WRITE_SAO,
		    BURN_BLOCK_SAO);
		if (burn_precheck_write(wo, disc, reasons, 1) > 0)
			return OPTIMG_OK;
	} else if (burn_write_opts_auto_write_type(wo, disc, reasons, 0) !=
	    BURN_WRITE_NONE && burn_precheck_write(wo, disc, reasons, 1) > 0) {
		return OPTIMG_OK;
	}
	n = strlen(reasons);
	while (n > 0 && (reasons[n - 1] == ' ' || reasons[n - 1] == ','))
		reasons[--n] = '\0';
	lb_drain();
	return oi_set_error(err, OPTIMG_EUNSUPP, "libburn refuses to write "
	    "this to '%s' (%s): %s", di->address, oi_burn_media_name(di),
	    reasons[0] != '\0' ? reasons : "no write type fits");
}

/* ---- stdio: targets ---------------------------------------------------- */

/* The file behind a stdio: address, or NULL. */
static const char *
stdio_path(const char *address)
{
	return address != NULL && strncmp(address, "stdio:", 6) == 0 ?
	    address + 6 : NULL;
}

/* Refuses a target file that is one of the image's own files. */
static int
check_not_input(const char *path, const struct optimg_image *img,
    struct optimg_error *err)
{
	struct stat ts, is;

	if (img == NULL || stat(path, &ts) < 0)
		return OPTIMG_OK;
	for (unsigned i = 0; i < img->nstreams; i++)
		if (img->streams[i].path != NULL &&
		    stat(img->streams[i].path, &is) == 0 &&
		    is.st_dev == ts.st_dev && is.st_ino == ts.st_ino)
			return oi_set_error(err, OPTIMG_EINVAL, "'%s' is the "
			    "image's own file '%s'", path,
			    img->streams[i].path);
	return OPTIMG_OK;
}

/* Where an append goes: the file's end, rounded up to 2048. */
static int
stdio_append_start(const char *path, off_t *start, struct optimg_error *err)
{
	struct stat st;

	if (stat(path, &st) < 0) {
		oi_set_errno(err, OPTIMG_EIO, "cannot add a session to '%s'",
		    path);
		return oi_error_about(err, OPTIMG_OPTION_APPEND);
	}
	if (!S_ISREG(st.st_mode)) {
		oi_set_error(err, OPTIMG_EUNSUPP, "cannot add a session to "
		    "'%s': not a regular file", path);
		return oi_error_about(err, OPTIMG_OPTION_APPEND);
	}
	*start = (st.st_size + OPTIMG_USER_SECTOR - 1) /
	    OPTIMG_USER_SECTOR * OPTIMG_USER_SECTOR;
	return OPTIMG_OK;
}

static int
stdio_truncate(const char *path, struct optimg_error *err)
{
	struct stat st;

	if (stat(path, &st) < 0 || !S_ISREG(st.st_mode))
		return OPTIMG_OK;	/* libburn creates it */
	if (truncate(path, 0) < 0)
		return oi_set_errno(err, OPTIMG_EIO, "cannot truncate '%s'",
		    path);
	return OPTIMG_OK;
}

/* ---- reading back ------------------------------------------------------ */

struct readback {
	struct burn_drive	*d;	/* a real drive, or */
	struct optimg_image	*img;	/* the target opened as an image, or */
	int			 fd;	/* the target file as bytes */
};

static int
rb_read(void *ctx, int32_t lba, uint32_t count, unsigned block_size,
    void *buf, struct optimg_error *err)
{
	struct readback *rb = ctx;
	size_t len = (size_t)count * block_size;
	off_t got = 0;
	ssize_t r;

	if (block_size != OPTIMG_USER_SECTOR || lba < 0)
		return oi_set_error(err, OPTIMG_EUNSUPP, "cannot read back");
	if (rb->img != NULL) {
		if (optimg_image_read(rb->img, lba, count, block_size,
		    buf) < 0)
			return oi_set_error(err, OPTIMG_EIO, "%s",
			    optimg_image_errmsg(rb->img));
		return OPTIMG_OK;
	}
	if (rb->d != NULL) {
		if (burn_read_data(rb->d, (off_t)lba * OPTIMG_USER_SECTOR,
		    buf, (off_t)len, &got, 2 | 4) <= 0 || (size_t)got != len)
			return oi_set_error(err, OPTIMG_EIO, "read error at "
			    "sector %ld", (long)lba);
		return OPTIMG_OK;
	}
	r = pread(rb->fd, buf, len, (off_t)lba * OPTIMG_USER_SECTOR);
	if (r < 0 || (size_t)r != len)
		return oi_set_error(err, OPTIMG_EIO, "short read at sector %ld",
		    (long)lba);
	return OPTIMG_OK;
}

/*
 * Opens what was written: the target file of a pseudo-drive through the
 * image reader (the same sector source as everything else), or as plain
 * bytes when it is no image optimg recognises (a data track without a
 * file system); a real drive is read with READ.
 */
static int
readback_open(struct readback *rb, struct burn_drive *d, const char *path,
    struct optimg_error *err)
{
	memset(rb, 0, sizeof(*rb));
	rb->fd = -1;
	if (path == NULL) {
		rb->d = d;
		burn_drive_re_assess(d, 0);
		return OPTIMG_OK;
	}
	if ((rb->img = optimg_image_new()) == NULL)
		return oi_set_error(err, OPTIMG_ENOMEM, "out of memory");
	if (optimg_image_open(rb->img, path) == OPTIMG_OK &&
	    strcmp(optimg_image_format(rb->img), "iso") == 0)
		return OPTIMG_OK;
	optimg_image_free(rb->img);
	rb->img = NULL;
	if ((rb->fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return oi_set_errno(err, OPTIMG_EIO, "cannot read back '%s'",
		    path);
	return OPTIMG_OK;
}

static void
readback_close(struct readback *rb)
{
	optimg_image_free(rb->img);
	if (rb->fd >= 0)
		close(rb->fd);
}

static int
verify(struct optimg_image *img, const struct oi_sector_crcs *crcs,
    const struct optimg_burn_plan *p, const struct optimg_burn_opts *o,
    struct burn_drive *d, const char *path, off_t start,
    uint32_t one_x, struct optimg_burn_result *res, struct optimg_error *err)
{
	struct readback rb;
	struct oi_burn_verify v = {
		.plan = p,
		.img = img,
		.crcs = crcs,
		.lba_base = (int32_t)(start / OPTIMG_USER_SECTOR),
		.read = rb_read,
		.read_ctx = &rb,
		.progress = o->progress,
		.progress_ctx = o->progress_ctx,
		.one_x = one_x,
	};
	int rc;

	OI_TRY(readback_open(&rb, d, path, err));
	rc = oi_burn_verify(&v, res, err);
	readback_close(&rb);
	if (rc == OPTIMG_OK && res->nbad > 0)
		rc = oi_set_error(err, OPTIMG_EIO, "verify failed: %u "
		    "sector%s differ%s from the source", res->nbad,
		    res->nbad == 1 ? "" : "s", res->nbad == 1 ? "s" : "");
	return rc;
}

/* ---- burning ----------------------------------------------------------- */

void
optimg_burn_result_release(struct optimg_burn_result *res)
{
	if (res == NULL)
		return;
	free(res->tracks);
	memset(res, 0, sizeof(*res));
}

static int
blank_first(struct burn_drive *d, const struct optimg_burn_opts *o,
    const struct optimg_burner_info *di, struct optimg_error *err)
{
	struct watch w = { .d = d, .opts = o, .phase = "blanking",
	    .one_x = di->one_x };

	if (oi_profile_is_overwritable(di->profile))
		return OPTIMG_OK;	/* overwritten in place */
	burn_disc_erase(d, 1);
	wait_idle(&w);
	if (burn_drive_wrote_well(d) <= 0 ||
	    burn_disc_get_status(d) != BURN_DISC_BLANK)
		return lb_error(err, OPTIMG_EIO, "blanking failed");
	return OPTIMG_OK;
}

static struct burn_write_opts *
write_opts(struct burn_drive *d, const struct optimg_burn_plan *p,
    const struct optimg_burn_opts *o, off_t start)
{
	struct burn_write_opts *wo = burn_write_opts_new(d);

	if (wo == NULL)
		return NULL;
	burn_write_opts_set_simulate(wo, o->dummy);
	burn_write_opts_set_underrun_proof(wo, 1);
	burn_write_opts_set_perform_opc(wo, 1);
	burn_write_opts_set_multi(wo, o->multisession);
	if (start > 0)
		burn_write_opts_set_start_byte(wo, start);
	if (p->catalog[0] != '\0') {
		burn_write_opts_set_mediacatalog(wo,
		    (unsigned char *)(uintptr_t)p->catalog);
		burn_write_opts_set_has_mediacatalog(wo, 1);
	}
	return wo;
}

struct burn_run {
	struct optimg_image		*img;
	struct optimg_mkiso		*mk;
	const struct optimg_burn_plan	*p;
	const struct optimg_burn_opts	*o;
	struct optimg_burn_result	*res;
	struct optimg_burner_info	 di;
	struct grab			 g;
	const char			*path;	/* stdio: target file */
	bool				 created;	/* path did not exist */
	off_t				 start;
	struct feeder			 feed;
	int				 read_fd;
	struct job			 job;
	struct burn_write_opts		*wo;
};

/* Everything up to the first byte written: any refusal leaves no trace. */
static int
prepare(struct burn_run *r, struct optimg_error *err)
{
	const struct optimg_burn_opts *o = r->o;

	const char *sp = stdio_path(o->drive);
	struct stat st;

	r->created = sp != NULL && stat(sp, &st) < 0 && errno == ENOENT;
	OI_TRY(grab(o->drive, &r->g, err));
	fill_info(r->g.d, &r->g.info[0], &r->di);
	snprintf(r->res->media, sizeof(r->res->media), "%s", r->di.media);
	r->path = r->di.pseudo ? stdio_path(r->di.address) : NULL;
	if (r->path != NULL) {
		OI_TRY(check_not_input(r->path, r->img, err));
		if (o->append && !o->verify_only)
			OI_TRY(stdio_append_start(r->path, &r->start, err));
	}
	if (o->verify_only)
		return OPTIMG_OK;
	OI_TRY(oi_burn_check_media(r->p, o, &r->di, err));
	if ((r->wo = write_opts(r->g.d, r->p, o, r->start)) == NULL)
		return oi_set_error(err, OPTIMG_ENOMEM, "out of memory");
	if (r->di.state == OPTIMG_MEDIA_BLANK || o->append)
		OI_TRY(check_size(r->p, r->g.d, r->wo, &r->di, err));
	/* A disc without sources is enough for libburn's checks. */
	OI_TRY(job_build(&r->job, r->p, NULL, -1, err));
	OI_TRY(check_write_type(r->p, r->wo, r->job.disc, &r->di, err));
	job_free(&r->job);
	/* libburn takes kB/s; 0 asks for the fastest. */
	burn_drive_set_speed(r->g.d, 0, o->speed > 0 && o->speed < 1000 ?
	    (int)((uint64_t)o->speed * r->di.one_x / 1000) : 0);
	return OPTIMG_OK;
}

static int
write_disc(struct burn_run *r, struct optimg_error *err)
{
	const struct optimg_burn_opts *o = r->o;
	struct watch w = { .d = r->g.d, .opts = o, .total = r->p->bytes,
	    .one_x = r->di.one_x, .phase = "writing" };
	int rc;

	if (o->blank && r->di.state != OPTIMG_MEDIA_BLANK && !o->append) {
		OI_TRY(blank_first(r->g.d, o, &r->di, err));
		OI_TRY(check_size(r->p, r->g.d, r->wo, &r->di, err));
	}
	if (r->path != NULL && !o->append && !o->dummy)
		OI_TRY(stdio_truncate(r->path, err));
	r->read_fd = -1;
	if (r->mk != NULL)
		OI_TRY(feeder_start(&r->feed, r->mk, &r->read_fd, err));
	OI_TRY(job_build(&r->job, r->p, r->img, r->read_fd, err));
	/* The write type is settled on this disc, as checked before. */
	if (r->p->audio)
		burn_write_opts_set_write_type(r->wo, BURN_WRITE_SAO,
		    BURN_BLOCK_SAO);
	else if (burn_write_opts_auto_write_type(r->wo, r->job.disc,
	    (char[BURN_REASONS_LEN]){ 0 }, 0) == BURN_WRITE_NONE)
		return lb_error(err, OPTIMG_EUNSUPP, "no write type fits");
	w.job = &r->job;
	burn_disc_write(r->wo, r->job.disc);
	wait_idle(&w);
	rc = burn_drive_wrote_well(r->g.d) > 0 ? OPTIMG_OK :
	    lb_error(err, OPTIMG_EIO, "writing failed");
	for (unsigned i = 0; i < r->p->ntracks && rc == OPTIMG_OK; i++)
		if (r->job.srcs[i] != NULL && r->job.srcs[i]->failed)
			rc = oi_set_error(err, OPTIMG_EIO, "track %u: %s",
			    r->p->tracks[i].number, r->job.srcs[i]->err.message);
	if (w.canceled)
		rc = oi_set_error(err, OPTIMG_ECANCELED, "burn canceled");
	return rc;
}

/*
 * Stops the ISO stream: the feeder first (it may wait for room in the
 * pipe), then the fifos that read the pipe, then the pipe itself.  A
 * feeder that had more to say than the size it announced is an error.
 */
static int
finish_stream(struct burn_run *r, int rc, struct optimg_error *err)
{
	feeder_join(&r->feed);
	job_free(&r->job);
	if (r->read_fd >= 0)
		close(r->read_fd);
	r->read_fd = -1;
	if (rc == OPTIMG_OK && r->mk != NULL && r->feed.rc < 0)
		rc = oi_set_error(err, r->feed.rc == OPTIMG_ECANCELED ?
		    OPTIMG_EIO : r->feed.rc, "%s",
		    r->feed.rc == OPTIMG_ECANCELED ? "the ISO stream was "
		    "longer than its announced size" : r->feed.err.message);
	return rc;
}

/*
 * A stdio: file that did not exist and is still empty (a --dummy run, a
 * refusal) is removed: nothing was written, so nothing is left.
 */
static void
forget_empty(const struct burn_run *r)
{
	struct stat st;

	if (r->created && r->path != NULL && stat(r->path, &st) == 0 &&
	    S_ISREG(st.st_mode) && st.st_size == 0)
		unlink(r->path);
}

/* Fills r->feed.crcs by running the ISO stream without a drive. */
static int
crc_only_sink(void *ctx, const void *buf, size_t len)
{
	return oi_sector_crcs_add(ctx, buf, len);
}

int
optimg_burn(struct optimg_image *img, struct optimg_mkiso *mk,
    const struct optimg_burn_plan *plan, const struct optimg_burn_opts *opts,
    struct optimg_burn_result *res, struct optimg_error *err)
{
	struct burn_run r = { .img = img, .mk = mk, .p = plan, .o = opts,
	    .res = res, .read_fd = -1 };
	int rc;

	memset(res, 0, sizeof(*res));
	if ((img == NULL) == (mk == NULL))
		return oi_set_error(err, OPTIMG_EINVAL, "burn: give an image "
		    "or an ISO stream");
	if ((res->tracks = oi_calloc(plan->ntracks,
	    sizeof(*res->tracks))) == NULL)
		return oi_set_error(err, OPTIMG_ENOMEM, "out of memory");
	OI_TRY(lb_init(err));
	rc = prepare(&r, err);
	res->start_byte = (uint64_t)r.start;
	if (rc == OPTIMG_OK && !opts->verify_only) {
		rc = write_disc(&r, err);
		rc = finish_stream(&r, rc, err);
		res->written = rc == OPTIMG_OK;
	}
	if (rc == OPTIMG_OK && mk != NULL && opts->verify_only) {
		rc = optimg_mkiso_write(mk, crc_only_sink, &r.feed.crcs, err);
		if (rc == OPTIMG_OK)
			rc = oi_sector_crcs_finish(&r.feed.crcs);
	}
	if (rc == OPTIMG_OK && (opts->verify || opts->verify_only) &&
	    !opts->dummy)
		rc = verify(img, mk != NULL ? &r.feed.crcs : NULL, plan, opts,
		    r.g.d, r.path, r.start, r.di.one_x, res, err);
	job_free(&r.job);
	if (r.wo != NULL)
		burn_write_opts_free(r.wo);
	ungrab(&r.g, opts->eject && rc != OPTIMG_EINVAL);
	forget_empty(&r);
	oi_sector_crcs_release(&r.feed.crcs);
	lb_drain();
	lb_release();
	return rc;
}

/* ---- blanking and formatting ------------------------------------------- */

static int
drive_op(const struct optimg_burn_opts *o, bool format, bool fast,
    struct optimg_error *err)
{
	struct optimg_burner_info di;
	struct grab g;
	struct watch w = { .opts = o, .phase = format ? "formatting" :
	    "blanking" };
	int rc;

	OI_TRY(lb_init(err));
	if ((rc = grab(o->drive, &g, err)) < 0) {
		lb_release();
		return rc;
	}
	fill_info(g.d, &g.info[0], &di);
	w.d = g.d;
	w.one_x = di.one_x;
	/* Pseudo-drives: libburn says why not, in its words. */
	if (!di.pseudo && !format && !di.erasable)
		rc = oi_set_error(err, OPTIMG_EUNSUPP, "the %s in '%s' cannot "
		    "be blanked", oi_burn_media_name(&di), di.address);
	if (rc == OPTIMG_OK) {
		char msg[BURN_MSGS_MESSAGE_LEN];

		lb_last_message(msg, sizeof(msg));
		if (format)
			burn_disc_format(g.d, 0, 3 << 1);	/* default size */
		else
			burn_disc_erase(g.d, fast);
		wait_idle(&w);
		lb_last_message(msg, sizeof(msg));
		if (msg[0] != '\0' || burn_drive_wrote_well(g.d) <= 0)
			rc = oi_set_error(err, OPTIMG_EIO, "%s '%s' failed%s%s",
			    format ? "formatting" : "blanking", di.address,
			    msg[0] != '\0' ? ": " : "", msg);
	}
	ungrab(&g, o->eject && rc == OPTIMG_OK);
	lb_release();
	return rc;
}

int
optimg_burner_blank(const struct optimg_burn_opts *opts, bool fast,
    struct optimg_error *err)
{
	return drive_op(opts, false, fast, err);
}

int
optimg_burner_format(const struct optimg_burn_opts *opts,
    struct optimg_error *err)
{
	return drive_op(opts, true, true, err);
}
