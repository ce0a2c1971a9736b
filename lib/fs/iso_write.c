/*
 * iso_write.c - optimg_mkiso(): run the writer's phases, then write the
 * image in one sequential pass into a sink (a file, or a burner later).
 *
 * Phases: tree (scan, names) -> El Torito lookups -> hybrid inputs ->
 * layout (every LBA) -> boot info tables.  Only then is anything written,
 * in LBA order, so the sink never seeks and the size is known up front.
 * Memory holds the tree's metadata and one copy buffer, never file data
 * (boot images patched with a boot info table excepted).
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "iso_write.h"
#include "outfile.h"
#include "place.h"

#define COPY_BUF	(2u << 20)
#define REPORT_EVERY	(8u << 20)

static int
create(const struct optimg_mkiso_opts *opts, const struct stat *out,
    struct optimg_mkiso **res, struct optimg_error *err)
{
	struct optimg_mkiso *mk;
	int rc;

	*res = NULL;
	if (opts == NULL || opts->nsources == 0)
		return oi_set_error(err, OPTIMG_EINVAL, "no source to put in "
		    "the image");
	if ((mk = calloc(1, sizeof(*mk))) == NULL)
		return oi_set_error(err, OPTIMG_ENOMEM, "out of memory");
	mk->o = *opts;
	mk->rock = !opts->no_rock;
	mk->joliet = !opts->no_joliet;
	mk->joliet_max = opts->joliet_long ? 103 : 64;
	mk->reproducible = opts->have_date;
	mk->now = opts->have_date ? opts->date : (int64_t)time(NULL);
	if (out != NULL) {
		mk->have_out = true;
		mk->out_dev = out->st_dev;
		mk->out_ino = out->st_ino;
	}
	if (opts->volume_id != NULL && strlen(opts->volume_id) > 32)
		oi_iso_warn(mk, "volume id '%s' cut to 32 characters",
		    opts->volume_id);
	rc = oi_iso_tree_build(mk);
	if (rc == 0)
		rc = oi_iso_boot_prepare(mk);
	if (rc == 0)
		rc = oi_iso_names(mk);
	if (rc == 0)
		rc = oi_iso_hybrid_prepare(mk);
	if (rc == 0)
		rc = oi_iso_layout(mk);
	if (rc == 0)
		rc = oi_iso_boot_patch(mk);
	if (rc < 0) {
		if (err != NULL)
			*err = mk->err;
		optimg_mkiso_free(mk);
		return rc;
	}
	*res = mk;
	return OPTIMG_OK;
}

int
optimg_mkiso_new(const struct optimg_mkiso_opts *opts,
    struct optimg_mkiso **out, struct optimg_error *err)
{
	return create(opts, NULL, out, err);
}

uint64_t
optimg_mkiso_size(const struct optimg_mkiso *mk)
{
	return mk->image_bytes;
}

void
optimg_mkiso_free(struct optimg_mkiso *mk)
{
	int ns;

	if (mk == NULL)
		return;
	oi_iso_tree_free(mk);
	for (ns = 0; ns < NS_COUNT; ns++) {
		free(mk->dirs[ns]);
		free(mk->dorder[ns]);
	}
	free(mk->files);
	free(mk->boot);
	free(mk->parts);
	free(mk);
}

/* ---- the sequential write --------------------------------------------- */

struct writer {
	struct optimg_mkiso	*mk;
	optimg_sink_fn		 sink;
	void			*ctx;
	uint64_t		 pos;
	uint64_t		 next_report;
	uint8_t			*buf;
	struct oi_outfile	*of;	/* set when the sink is this file */
};

static const uint8_t zeros[64 * 1024];

static int
advance(struct writer *w, uint64_t len)
{
	w->pos += len;
	if (w->mk->o.progress != NULL && w->pos >= w->next_report) {
		w->next_report = w->pos + REPORT_EVERY;
		if (w->mk->o.progress(w->mk->o.progress_ctx, w->pos,
		    w->mk->image_bytes) != 0)
			return oi_set_error(&w->mk->err, OPTIMG_ECANCELED,
			    "canceled");
	}
	return OPTIMG_OK;
}

static int
emit(struct writer *w, const void *p, size_t len)
{
	int rc;

	if (len == 0)
		return OPTIMG_OK;
	rc = w->sink(w->ctx, p, len);
	if (rc < 0) {
		if (w->mk->err.message[0] == '\0')
			oi_set_error(&w->mk->err, rc, "cannot write the image: "
			    "%s", optimg_strerror(rc));
		return rc;
	}
	return advance(w, len);
}

static int
pad_to(struct writer *w, uint64_t pos)
{
	if (w->pos > pos)
		return oi_set_error(&w->mk->err, OPTIMG_EINVAL,
		    "internal error: layout overlap at byte %llu",
		    (unsigned long long)w->pos);
	while (w->pos < pos)
		OI_TRY(emit(w, zeros, (size_t)OI_MIN(pos - w->pos,
		    sizeof(zeros))));
	return OPTIMG_OK;
}

static int
pad_block(struct writer *w)
{
	return pad_to(w, (w->pos + ISO_BLOCK - 1) / ISO_BLOCK * ISO_BLOCK);
}

/*
 * Reads up to len bytes of fd and writes them out.  Into an output file
 * they are read straight into its buffer, whose writer thread then writes
 * them while the next files are read.
 */
static int
read_emit(struct writer *w, int fd, const char *path, size_t len)
{
	uint8_t *p = w->buf;
	ssize_t n;

	if (w->of != NULL) {
		size_t room;

		OI_TRY(oi_outfile_space(w->of, &p, &room, &w->mk->err));
		len = OI_MIN(len, room);
	}
	n = oi_iso_read(fd, p, len);
	if (n < 0)
		return oi_set_errno(&w->mk->err, OPTIMG_EIO, "cannot read '%s'",
		    path);
	if (n == 0) {
		w->mk->changed = true;
		return oi_set_error(&w->mk->err, OPTIMG_EIO,
		    "'%s' shrank while the image was written", path);
	}
	if (w->of == NULL)
		OI_TRY(emit(w, w->buf, (size_t)n));
	else {
		OI_TRY(oi_outfile_advance(w->of, (size_t)n, &w->mk->err));
		OI_TRY(advance(w, (uint64_t)n));
	}
	return (int)n;
}

/* Copies size bytes of the host file fd; fails if it has become shorter. */
static int
copy_file(struct writer *w, int fd, const char *path, uint64_t size)
{
	uint64_t left = size;
	int rc = OPTIMG_OK;

	if (fd < 0)
		return fd;
#ifdef POSIX_FADV_SEQUENTIAL
	/* A small file is one read: the advice would cost a call per file. */
	if (size > COPY_BUF)
		(void)posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
#endif
	while (left > 0 && rc == OPTIMG_OK) {
		int n = read_emit(w, fd, path, (size_t)OI_MIN(left, COPY_BUF));
		if (n < 0)
			rc = n;
		else
			left -= (uint64_t)n;
	}
	close(fd);
	return rc;
}

static int
write_descriptors(struct writer *w)
{
	struct optimg_mkiso *mk = w->mk;
	uint8_t *b = w->buf;

	OI_TRY(oi_iso_system_area(mk, b));
	OI_TRY(emit(w, b, ISO_SYSTEM_AREA * ISO_BLOCK));
	oi_iso_volume_descriptor(mk, NS_ISO, b);
	OI_TRY(emit(w, b, ISO_BLOCK));
	if (mk->nboot > 0) {
		oi_iso_boot_record(mk, b);
		OI_TRY(emit(w, b, ISO_BLOCK));
	}
	if (mk->joliet) {
		oi_iso_volume_descriptor(mk, NS_JOLIET, b);
		OI_TRY(emit(w, b, ISO_BLOCK));
	}
	memset(b, 0, ISO_BLOCK);	/* terminator (8.3) */
	b[0] = 255;
	memcpy(b + 1, "CD001", 5);
	b[6] = 1;
	return emit(w, b, ISO_BLOCK);
}

static int
write_metadata(struct writer *w)
{
	struct optimg_mkiso *mk = w->mk;
	struct oi_buf dir = { 0 }, ce = { 0 };
	int ns, msb, rc = OPTIMG_OK;
	size_t i;

	for (ns = 0; ns < NS_COUNT && rc == 0; ns++) {
		if (ns == NS_JOLIET && !mk->joliet)
			continue;
		for (msb = 0; msb < 2 && rc == 0; msb++) {
			dir.len = 0;
			rc = pad_to(w, (uint64_t)mk->pt_lba[ns][msb] * ISO_BLOCK);
			if (rc == 0)
				rc = oi_iso_path_table(mk, ns, msb, &dir);
			if (rc == 0)
				rc = emit(w, dir.p, dir.len);
			if (rc == 0)
				rc = pad_block(w);
		}
	}
	for (ns = 0; ns < NS_COUNT && rc == 0; ns++) {
		if (ns == NS_JOLIET && !mk->joliet)
			continue;
		for (i = 0; i < mk->ndirs[ns] && rc == 0; i++) {
			struct oi_iso_node *d = mk->dorder[ns][i];
			dir.len = ce.len = 0;
			rc = pad_to(w,
			    (uint64_t)d->dir->dir_lba[ns] * ISO_BLOCK);
			if (rc == 0)
				rc = oi_iso_dir_build(mk, d, ns, &dir, &ce);
			if (rc == 0 && (dir.len != d->dir->dir_size[ns] ||
			    (ns == NS_ISO && ce.len != d->ce_size)))
				rc = oi_set_error(&mk->err, OPTIMG_EINVAL,
				    "internal error: directory size changed");
			if (rc == 0)
				rc = emit(w, dir.p, dir.len);
			if (rc == 0)
				rc = emit(w, ce.p, ce.len);
		}
	}
	oi_buf_release(&dir);
	oi_buf_release(&ce);
	return rc;
}

/*
 * Files from i on that fit whole in the output buffer's free part, each
 * small enough that a run of them is worth sharing between threads;
 * their count.
 */
#define BATCH_MAX	1024

static size_t
batch_len(const struct writer *w, size_t i, size_t room)
{
	const struct optimg_mkiso *mk = w->mk;
	size_t n = 0;

	while (i + n < mk->nfiles && n < BATCH_MAX) {
		const struct oi_iso_node *f = mk->files[i + n];
		uint64_t end = ((uint64_t)f->data_lba * ISO_BLOCK +
		    f->size + ISO_BLOCK - 1) / ISO_BLOCK * ISO_BLOCK;

		if (f->mem != NULL || end - w->pos > room)
			break;
		n++;
	}
	return n;
}

/*
 * Into an output file, a run of files that fit in its buffer is read
 * there on two threads (oi_iso_batch_read); returns how many, 0 when the
 * next file goes the one-thread way.  w->pos is at files[i]'s start.
 */
static int
copy_batch(struct writer *w, struct oi_iso_batch *b, size_t i, size_t *done)
{
	struct optimg_mkiso *mk = w->mk;
	const struct oi_iso_node *last;
	uint8_t *p;
	size_t room, n;
	uint64_t len;

	*done = 0;
	if (w->of == NULL || b->threads < 2)
		return OPTIMG_OK;
	OI_TRY(oi_outfile_space(w->of, &p, &room, &mk->err));
	if ((n = batch_len(w, i, room)) < 2)
		return OPTIMG_OK;
	OI_TRY(oi_iso_batch_read(b, mk,
	    (const struct oi_iso_node *const *)mk->files + i, n, p, w->pos));
	last = mk->files[i + n - 1];
	len = ((uint64_t)last->data_lba * ISO_BLOCK + last->size +
	    ISO_BLOCK - 1) / ISO_BLOCK * ISO_BLOCK - w->pos;
	OI_TRY(oi_outfile_advance(w->of, (size_t)len, &mk->err));
	OI_TRY(advance(w, len));
	*done = n;
	return OPTIMG_OK;
}

static int
copy_files(struct writer *w, struct oi_iso_opener *o, struct oi_iso_batch *b)
{
	struct optimg_mkiso *mk = w->mk;
	size_t i = 0, n;
	int rc;

	while (i < mk->nfiles) {
		const struct oi_iso_node *f = mk->files[i];
		char buf[PATH_MAX];
		const char *src;

		OI_TRY(pad_to(w, (uint64_t)f->data_lba * ISO_BLOCK));
		OI_TRY(copy_batch(w, b, i, &n));
		if (n > 0) {
			i += n;
			continue;
		}
		i++;
		if (f->mem != NULL) {
			OI_TRY(emit(w, f->mem, f->size));
			continue;
		}
		src = oi_iso_src(f, buf, sizeof(buf));
		rc = copy_file(w, oi_iso_open_node(o, f, src), src, f->size);
		mk->changed |= o->changed;
		OI_TRY(rc);
	}
	return OPTIMG_OK;
}

static int
write_data(struct writer *w)
{
	struct optimg_mkiso *mk = w->mk;
	struct oi_iso_opener o;
	struct oi_iso_batch b;
	int rc;

	if (mk->nboot > 0) {
		OI_TRY(pad_to(w, (uint64_t)mk->catalog_lba * ISO_BLOCK));
		oi_iso_boot_catalog(mk, w->buf);
		OI_TRY(emit(w, w->buf, ISO_BLOCK));
	}
	oi_iso_opener_init(&o, &mk->err);
	oi_iso_batch_init(&b);
	rc = copy_files(w, &o, &b);
	oi_iso_batch_free(&b);
	oi_iso_opener_close(&o);
	OI_TRY(rc);
	return pad_to(w, (uint64_t)mk->iso_blocks * ISO_BLOCK);
}

static int
write_tail(struct writer *w)
{
	struct optimg_mkiso *mk = w->mk;
	unsigned i;

	for (i = 0; i < mk->nparts; i++) {
		const struct oi_iso_part *p = &mk->parts[i];
		OI_TRY(pad_to(w, (uint64_t)p->lba * ISO_BLOCK));
		OI_TRY(copy_file(w, oi_iso_open_source(mk, p->path, true,
		    p->dev, p->ino, p->size), p->path, p->size));
	}
	if (mk->o.gpt) {
		uint8_t *area = w->buf, *tail = w->buf + ISO_SYSTEM_AREA *
		    ISO_BLOCK;
		OI_TRY(oi_iso_system_area(mk, area));
		oi_iso_gpt_backup(mk, area, tail);
		OI_TRY(pad_to(w, mk->image_bytes - 33 * 512));
		OI_TRY(emit(w, tail, 33 * 512));
	}
	return pad_to(w, mk->image_bytes);
}

static int
write_image(struct optimg_mkiso *mk, optimg_sink_fn sink, void *sink_ctx,
    struct oi_outfile *of, struct optimg_error *err)
{
	struct writer w = { mk, sink, sink_ctx, 0, 0, NULL, of };
	int rc;

	oi_error_clear(&mk->err);
	if ((w.buf = malloc(COPY_BUF)) == NULL)
		return oi_set_error(err, OPTIMG_ENOMEM, "out of memory");
	rc = write_descriptors(&w);
	if (rc == 0)
		rc = write_metadata(&w);
	if (rc == 0)
		rc = write_data(&w);
	if (rc == 0)
		rc = write_tail(&w);
	if (rc == 0 && mk->o.progress != NULL)
		mk->o.progress(mk->o.progress_ctx, w.pos, mk->image_bytes);
	free(w.buf);
	if (rc < 0 && err != NULL)
		*err = mk->err;
	return rc;
}

int
optimg_mkiso_write(struct optimg_mkiso *mk, optimg_sink_fn sink,
    void *sink_ctx, struct optimg_error *err)
{
	return write_image(mk, sink, sink_ctx, NULL, err);
}

/* ---- into a file ------------------------------------------------------- */

struct file_sink {
	struct oi_outfile	 of;
	struct optimg_mkiso	*mk;
};

static int
file_sink(void *ctx, const void *buf, size_t len)
{
	struct file_sink *fs = ctx;

	return oi_outfile_write(&fs->of, buf, len, &fs->mk->err);
}

static int
check_inputs(const struct optimg_mkiso_opts *opts, const char *out_path,
    struct optimg_error *err)
{
	unsigned i, n = 0;
	const char **in = calloc(opts->nsources + opts->npartitions + 2,
	    sizeof(*in));
	int rc;

	if (in == NULL)
		return oi_set_error(err, OPTIMG_ENOMEM, "out of memory");
	for (i = 0; i < opts->nsources; i++)
		in[n++] = opts->sources[i].path;
	for (i = 0; i < opts->npartitions; i++)
		in[n++] = opts->partitions[i].path;
	in[n++] = opts->mbr;
	in[n++] = opts->sort_file;
	rc = oi_place_check(out_path, in, n, err);
	free(in);
	return rc;
}

/* Scans before giving up on sources that keep changing. */
#define MAX_TRIES	3

static int
write_to(struct optimg_mkiso *mk, const char *out_path, struct file_sink *fs)
{
	int rc;

	memset(fs, 0, sizeof(*fs));
	fs->of.fd = -1;
	fs->mk = mk;
	oi_sweep_stale(out_path, mk->o.warning, mk->o.warning_ctx);
	rc = oi_outfile_open(&fs->of, out_path, mk->o.force, &mk->err);
	if (rc == 0)
		rc = oi_outfile_reserve(&fs->of, mk->image_bytes, &mk->err);
	if (rc == 0)
		rc = write_image(mk, file_sink, fs, &fs->of, NULL);
	if (rc == 0)
		rc = oi_outfile_finish(&fs->of, &mk->err);
	if (rc == 0)
		rc = oi_outfile_commit(&fs->of, &mk->err);
	if (rc < 0)
		oi_outfile_abort(&fs->of);
	return rc;
}

int
optimg_mkiso(const struct optimg_mkiso_opts *opts, const char *out_path,
    struct optimg_error *err)
{
	struct optimg_mkiso *mk;
	struct file_sink fs;
	struct stat st;
	bool exists = stat(out_path, &st) == 0;
	int rc;

	if (opts == NULL || out_path == NULL)
		return oi_set_error(err, OPTIMG_EINVAL, "no output");
	OI_TRY(check_inputs(opts, out_path, err));
	if (exists && !opts->force && !S_ISDIR(st.st_mode)) {
		oi_set_error(err, OPTIMG_EEXIST, "'%s' already exists",
		    out_path);
		return oi_error_remedy(err, OPTIMG_OPTION_REPLACE,
		    OPTIMG_OPTION_NONE);
	}
	for (unsigned tries = 1;; tries++) {
		char why[sizeof(mk->err.message) + 40];
		bool again;

		OI_TRY(create(opts, exists ? &st : NULL, &mk, err));
		rc = write_to(mk, out_path, &fs);
		again = rc < 0 && mk->changed && opts->allow_changing &&
		    tries < MAX_TRIES;
		if (rc < 0 && !again && err != NULL)
			*err = mk->err;
		snprintf(why, sizeof(why), "%s; scanning the sources again",
		    mk->err.message);
		optimg_mkiso_free(mk);
		if (!again)
			return rc;
		if (opts->warning != NULL)
			opts->warning(opts->warning_ctx, why);
	}
}
