/*
 * mklive.c - optimg_mklive(): a live system's ISO from a kernel, an
 * initrd and a root file system, in one call.
 *
 * The builder makes the few files the image needs that the user did not
 * give (menus, the EFI image, /.disk/optimg-ID) in a temporary staging
 * directory, then hands the mkiso writer a list of sources: the staging
 * tree at the root, the kernel, initrd and squashfs at the places the
 * layout says, and any --add directories.  The writer lays everything
 * out and writes the image in one sequential pass; the big files are
 * never copied to the staging area.
 *
 * The image (for layout debian; arch and ubuntu move the live files):
 *   /.disk/info, /.disk/optimg-ID   how GRUB finds this very image
 *   /isolinux/isolinux.bin, *.c32, isolinux.cfg, boot.cat   BIOS
 *   /boot/grub/grub.cfg             the UEFI menu
 *   /boot/grub/efi.img              FAT: EFI/BOOT/BOOTX64.EFI (+ shim)
 *   /live/vmlinuz, initrd.img, filesystem.squashfs
 * El Torito: isolinux.bin (no emulation, load size 4, boot info table)
 * and efi.img (platform EF); isohdpfx.bin as MBR code; GPT with efi.img
 * as the ESP.
 *
 * ID is the first 8 bytes (hex) of a SHA-256 over the options, the
 * kernel, the initrd and samples of the root file system, so the same
 * inputs give the same ID and, with SOURCE_DATE_EPOCH, the same image.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "mklive.h"

extern char **environ;

static const struct layout {
	const char	*name;
	const char	*kernel, *initrd, *rootfs;
	const char	*params;	/* "%L" stands for the label */
} layouts[] = {
	[OPTIMG_LAYOUT_DEBIAN] = { "debian", "live/vmlinuz", "live/initrd.img",
	    "live/filesystem.squashfs", "boot=live components" },
	[OPTIMG_LAYOUT_ARCH] = { "arch", "arch/boot/x86_64/vmlinuz-linux",
	    "arch/boot/x86_64/initramfs-linux.img", "arch/x86_64/airootfs.sfs",
	    "archisobasedir=arch archisolabel=%L" },
	[OPTIMG_LAYOUT_UBUNTU] = { "ubuntu", "casper/vmlinuz", "casper/initrd",
	    "casper/filesystem.squashfs", "boot=casper" },
};

const char *
optimg_live_layout_name(enum optimg_live_layout layout)
{
	if ((unsigned)layout >= OI_ARRAY_SIZE(layouts))
		return "?";
	return layouts[layout].name;
}

int
optimg_live_layout_parse(const char *name)
{
	unsigned i;

	for (i = 0; i < OI_ARRAY_SIZE(layouts); i++)
		if (strcmp(layouts[i].name, name) == 0)
			return (int)i;
	return -1;
}

/* ---- small helpers ----------------------------------------------------- */

int
oi_strv_push(struct oi_strv *sv, const char *s)
{
	char *copy = NULL;

	if (s != NULL && (copy = strdup(s)) == NULL)
		return OPTIMG_ENOMEM;
	if (sv->n == sv->cap) {
		unsigned cap = sv->cap ? sv->cap * 2 : 16;
		char **v = oi_reallocarray(sv->v, cap, sizeof(*v));
		if (v == NULL) {
			free(copy);
			return OPTIMG_ENOMEM;
		}
		sv->v = v;
		sv->cap = cap;
	}
	sv->v[sv->n++] = copy;
	return OPTIMG_OK;
}

void
oi_strv_release(struct oi_strv *sv)
{
	unsigned i;

	for (i = 0; i < sv->n; i++)
		free(sv->v[i]);
	free(sv->v);
	memset(sv, 0, sizeof(*sv));
}

void
oi_live_warn(struct oi_live *lv, const char *fmt, ...)
{
	char msg[OPTIMG_ERRMSG_MAX];
	va_list ap;

	if (lv->o->warning == NULL)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	lv->o->warning(lv->o->warning_ctx, msg);
}

char *
oi_live_path(struct oi_live *lv, const char *base, const char *rel)
{
	size_t len = strlen(base) + strlen(rel) + 2;
	char *p = malloc(len);

	if (p == NULL) {
		oi_set_error(lv->err, OPTIMG_ENOMEM, "out of memory");
		return NULL;
	}
	snprintf(p, len, "%s/%s", base, rel);
	return p;
}

/* mkdir -p of path's parent directories and, with a trailing '/', path. */
int
oi_live_mkdirs(struct oi_live *lv, const char *path)
{
	char *p = strdup(path), *s;

	if (p == NULL)
		return oi_set_error(lv->err, OPTIMG_ENOMEM, "out of memory");
	for (s = strchr(p + 1, '/'); s != NULL; s = strchr(s + 1, '/')) {
		*s = '\0';
		if (mkdir(p, 0755) < 0 && errno != EEXIST) {
			int rc = oi_set_errno(lv->err, OPTIMG_EIO,
			    "cannot make directory '%s'", p);
			free(p);
			return rc;
		}
		*s = '/';
	}
	free(p);
	return OPTIMG_OK;
}

int
oi_live_write_file(struct oi_live *lv, const char *path, const void *data,
    size_t len)
{
	const uint8_t *d = data;
	size_t done = 0;
	int fd;

	OI_TRY(oi_live_mkdirs(lv, path));
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return oi_set_errno(lv->err, OPTIMG_EIO, "cannot create '%s'",
		    path);
	while (done < len) {
		ssize_t n = write(fd, d + done, len - done);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			close(fd);
			return oi_set_errno(lv->err, OPTIMG_EIO,
			    "cannot write '%s'", path);
		}
		done += (size_t)n;
	}
	if (close(fd) < 0)
		return oi_set_errno(lv->err, OPTIMG_EIO, "cannot write '%s'",
		    path);
	return OPTIMG_OK;
}

int
oi_live_copy_file(struct oi_live *lv, const char *from, const char *to)
{
	char *data;
	size_t len;
	int rc;

	OI_TRY(oi_read_small_file(from, 64u << 20, &data, &len, lv->err));
	rc = oi_live_write_file(lv, to, data, len);
	free(data);
	return rc;
}

int
oi_live_add_source(struct oi_live *lv, const char *host, const char *dest)
{
	if (oi_strv_push(&lv->src, host) < 0 ||
	    oi_strv_push(&lv->dest, dest) < 0)
		return oi_set_error(lv->err, OPTIMG_ENOMEM, "out of memory");
	return OPTIMG_OK;
}

int
oi_live_run(struct oi_live *lv, const char *const argv[])
{
	posix_spawn_file_actions_t fa;
	char *errpath = oi_live_path(lv, lv->work, "stderr.txt"), *text;
	char **env;
	size_t len, n, i;
	pid_t pid;
	int rc, status;

	if (errpath == NULL)
		return OPTIMG_ENOMEM;
	/* mksquashfs refuses SOURCE_DATE_EPOCH beside its time options */
	for (n = 0; environ[n] != NULL; n++)
		;
	if ((env = oi_calloc(n + 1, sizeof(*env))) == NULL) {
		free(errpath);
		return oi_set_error(lv->err, OPTIMG_ENOMEM, "out of memory");
	}
	for (i = n = 0; environ[i] != NULL; i++)
		if (strncmp(environ[i], "SOURCE_DATE_EPOCH=", 18) != 0)
			env[n++] = environ[i];
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
	posix_spawn_file_actions_addopen(&fa, 2, errpath,
	    O_WRONLY | O_CREAT | O_TRUNC, 0600);
	rc = posix_spawnp(&pid, argv[0], &fa, NULL, (char *const *)argv,
	    env);
	posix_spawn_file_actions_destroy(&fa);
	free(env);
	if (rc != 0) {
		free(errpath);
		errno = rc;
		return oi_set_errno(lv->err, OPTIMG_EIO, "cannot run '%s'",
		    argv[0]);
	}
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR) {
			free(errpath);
			return oi_set_errno(lv->err, OPTIMG_EIO,
			    "cannot wait for '%s'", argv[0]);
		}
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
		free(errpath);
		return OPTIMG_OK;
	}
	text = NULL;
	len = 0;
	if (oi_read_small_file(errpath, 1u << 20, &text, &len, lv->err) < 0)
		text = NULL;
	free(errpath);
	if (text != NULL) {
		text[len] = '\0';
		while (len > 0 && (text[len - 1] == '\n' || text[len - 1] == ' '))
			text[--len] = '\0';
		if (len > 300)
			memmove(text, text + len - 300, 301);
	}
	rc = oi_set_error(lv->err, OPTIMG_EIO, "'%s' failed (%s %d)%s%s",
	    argv[0], WIFEXITED(status) ? "exit status" : "signal",
	    WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status),
	    text != NULL && text[0] ? ": " : "", text != NULL ? text : "");
	free(text);
	return rc;
}

/* ---- staging ----------------------------------------------------------- */

/*
 * The staging directory goes beside the output, not into $TMPDIR: a
 * remaster copies a whole image's files there, and /tmp is often a
 * small tmpfs.  Its name is left out of the image and the squashfs, in
 * case the output's directory is one of the sources.
 */
#define STAGE_NAME ".optimg-mklive."

static int
stage_open(struct oi_live *lv, const char *out)
{
	const char *slash = strrchr(out, '/');
	size_t dlen = slash == NULL ? 1 : (size_t)(slash - out) + (slash == out);
	size_t len = dlen + sizeof(STAGE_NAME) + 8;
	char *t;

	if ((lv->stage = malloc(len)) == NULL)
		return oi_set_error(lv->err, OPTIMG_ENOMEM, "out of memory");
	snprintf(lv->stage, len, "%.*s/" STAGE_NAME "XXXXXX", (int)dlen,
	    slash == NULL ? "." : out);
	if (mkdtemp(lv->stage) == NULL) {
		int rc = oi_set_errno(lv->err, OPTIMG_EIO, "cannot make a "
		    "staging directory beside '%s'", out);
		free(lv->stage);
		lv->stage = NULL;
		return rc;
	}
	if ((lv->tree = oi_live_path(lv, lv->stage, "tree")) == NULL ||
	    (lv->work = oi_live_path(lv, lv->stage, "work")) == NULL)
		return OPTIMG_ENOMEM;
	if (mkdir(lv->tree, 0755) < 0 || mkdir(lv->work, 0700) < 0)
		return oi_set_errno(lv->err, OPTIMG_EIO, "cannot make '%s'",
		    lv->tree);
	t = lv->tree;
	return oi_live_add_source(lv, t, NULL);
}

static int
rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	if (remove(path) < 0 && errno == EACCES) {
		(void)chmod(path, 0700);
		(void)remove(path);
	}
	return 0;
}

static void
stage_close(struct oi_live *lv)
{
	if (lv->stage != NULL)
		(void)nftw(lv->stage, rm_one, 32, FTW_DEPTH | FTW_PHYS);
	free(lv->stage);
	free(lv->tree);
	free(lv->work);
	oi_strv_release(&lv->src);
	oi_strv_release(&lv->dest);
	oi_strv_release(&lv->part_paths);
	oi_strv_release(&lv->hide);
	free(lv->mbr);
	free(lv->catalog);
	free(lv->volume_id);
	free(lv->publisher);
	free(lv->preparer);
	free(lv->application);
	free(lv->system_id);
	free(lv->volume_set);
}

/* ---- the content's id -------------------------------------------------- */

#define SAMPLE (1u << 20)

/* Whole files up to 256 MiB; of larger ones the size, head and tail. */
static int
hash_file(struct oi_live *lv, EVP_MD_CTX *ctx, const char *path)
{
	struct stat st;
	uint8_t *buf;
	uint64_t off = 0, size;
	int fd = open(path, O_RDONLY | O_CLOEXEC), rc = OPTIMG_OK;
	char head[32];

	if (fd < 0 || fstat(fd, &st) < 0) {
		rc = oi_set_errno(lv->err, OPTIMG_ENOENT, "cannot open '%s'",
		    path);
		if (fd >= 0)
			close(fd);
		return rc;
	}
	size = (uint64_t)st.st_size;
	snprintf(head, sizeof(head), "%llu\n", (unsigned long long)size);
	EVP_DigestUpdate(ctx, head, strlen(head));
	if ((buf = malloc(SAMPLE)) == NULL) {
		close(fd);
		return oi_set_error(lv->err, OPTIMG_ENOMEM, "out of memory");
	}
	while (off < size && rc == 0) {
		ssize_t n = pread(fd, buf, SAMPLE, (off_t)off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			rc = oi_set_errno(lv->err, OPTIMG_EIO,
			    "cannot read '%s'", path);
			break;
		}
		EVP_DigestUpdate(ctx, buf, (size_t)n);
		off += (uint64_t)n;
		if (size > (256u << 20) && off < size - SAMPLE)
			off = size - SAMPLE;
	}
	free(buf);
	close(fd);
	return rc;
}

static void
hash_str(EVP_MD_CTX *ctx, const char *s)
{
	if (s == NULL)
		s = "";
	EVP_DigestUpdate(ctx, s, strlen(s) + 1);
}

static int
make_id(struct oi_live *lv, const char *rootfs)
{
	const struct optimg_mklive_opts *o = lv->o;
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	uint8_t md[EVP_MAX_MD_SIZE];
	unsigned len = 0, i;
	int rc = OPTIMG_OK;

	if (ctx == NULL || EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) != 1) {
		EVP_MD_CTX_free(ctx);
		return oi_set_error(lv->err, OPTIMG_ENOMEM, "no SHA-256");
	}
	hash_str(ctx, "optimg mklive 1");
	hash_str(ctx, o->label);
	hash_str(ctx, o->title);
	hash_str(ctx, o->cmdline);
	hash_str(ctx, layouts[o->layout].name);
	hash_str(ctx, o->secure_boot ? "sb" : "");
	for (i = 0; i < o->nadd; i++)
		hash_str(ctx, o->add[i]);
	if (o->from_iso != NULL)
		rc = hash_file(lv, ctx, o->from_iso);
	if (rc == 0 && o->kernel != NULL)
		rc = hash_file(lv, ctx, o->kernel);
	if (rc == 0 && o->initrd != NULL)
		rc = hash_file(lv, ctx, o->initrd);
	if (rc == 0 && rootfs != NULL)
		rc = hash_file(lv, ctx, rootfs);
	if (rc == 0)
		EVP_DigestFinal_ex(ctx, md, &len);
	EVP_MD_CTX_free(ctx);
	for (i = 0; rc == 0 && i < 8; i++)
		snprintf(lv->id + 2 * i, 3, "%02x", md[i]);
	return rc;
}

/* ---- menus ------------------------------------------------------------- */

struct text {
	char	*p;
	size_t	 len, cap;
	bool	 oom;
};

static void
tprintf(struct text *t, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
tprintf(struct text *t, const char *fmt, ...)
{
	va_list ap;
	int n;

	for (;;) {
		va_start(ap, fmt);
		n = vsnprintf(t->p != NULL ? t->p + t->len : NULL,
		    t->p != NULL ? t->cap - t->len : 0, fmt, ap);
		va_end(ap);
		if (n < 0) {
			t->oom = true;
			return;
		}
		if (t->p != NULL && t->len + (size_t)n < t->cap) {
			t->len += (size_t)n;
			return;
		}
		size_t cap = (t->cap + (size_t)n + 1) * 2;
		char *p = realloc(t->p, cap);
		if (p == NULL) {
			t->oom = true;
			return;
		}
		t->p = p;
		t->cap = cap;
	}
}

/* The layout's parameters with the label put in, then the user's. */
static void
kernel_params(struct oi_live *lv, char *out, size_t len)
{
	const struct optimg_mklive_opts *o = lv->o;
	const char *p = layouts[o->layout].params, *l = strstr(p, "%L");

	if (l != NULL)
		snprintf(out, len, "%.*s%s%s", (int)(l - p), p, o->label,
		    l + 2);
	else
		snprintf(out, len, "%s", p);
	if (o->cmdline != NULL && o->cmdline[0] != '\0') {
		size_t n = strlen(out);
		snprintf(out + n, len - n, " %s", o->cmdline);
	}
}

#define SERIAL_PARAMS "console=tty0 console=ttyS0,115200"

static int
isolinux_cfg(struct oi_live *lv, struct text *t)
{
	const struct optimg_mklive_opts *o = lv->o;
	const struct layout *ly = &layouts[o->layout];
	char params[2048];

	kernel_params(lv, params, sizeof(params));
	tprintf(t, "# made by optimg mklive\n"
	    "SERIAL 0 115200\n"
	    "UI menu.c32\n"
	    "PROMPT 0\n"
	    "TIMEOUT %u\n"
	    "DEFAULT live\n"
	    "MENU TITLE %s\n"
	    "\n"
	    "LABEL live\n"
	    "  MENU LABEL %s\n"
	    "  LINUX /%s\n"
	    "  INITRD /%s\n"
	    "  APPEND %s\n"
	    "\n"
	    "LABEL serial\n"
	    "  MENU LABEL %s (serial console)\n"
	    "  LINUX /%s\n"
	    "  INITRD /%s\n"
	    "  APPEND %s " SERIAL_PARAMS "\n",
	    (o->timeout ? o->timeout : 5) * 10, o->title, o->title,
	    ly->kernel, ly->initrd, params, o->title, ly->kernel, ly->initrd,
	    params);
	return t->oom ? oi_set_error(lv->err, OPTIMG_ENOMEM, "out of memory")
	    : OPTIMG_OK;
}

/* Quotes a menu title for GRUB's single-quoted strings. */
static void
grub_quote(const char *s, char *out, size_t len)
{
	size_t n = 0;

	for (; *s != '\0' && n + 5 < len; s++) {
		if (*s == '\'') {
			memcpy(out + n, "'\\''", 4);
			n += 4;
		} else
			out[n++] = *s;
	}
	out[n] = '\0';
}

static int
grub_cfg(struct oi_live *lv, struct text *t)
{
	const struct optimg_mklive_opts *o = lv->o;
	const struct layout *ly = &layouts[o->layout];
	char params[2048], title[512];

	kernel_params(lv, params, sizeof(params));
	grub_quote(o->title, title, sizeof(title));
	tprintf(t, "# made by optimg mklive: the UEFI menu.  GRUB found this "
	    "image by /.disk/optimg-%s\n"
	    "set default=0\n"
	    "set timeout=%u\n"
	    "\n"
	    "menuentry '%s' {\n"
	    "\tlinux /%s %s\n"
	    "\tinitrd /%s\n"
	    "}\n"
	    "menuentry '%s (serial console)' {\n"
	    "\tlinux /%s %s " SERIAL_PARAMS "\n"
	    "\tinitrd /%s\n"
	    "}\n",
	    lv->id, o->timeout ? o->timeout : 5, title, ly->kernel, params,
	    ly->initrd, title, ly->kernel, params, ly->initrd);
	return t->oom ? oi_set_error(lv->err, OPTIMG_ENOMEM, "out of memory")
	    : OPTIMG_OK;
}

static int
write_text(struct oi_live *lv, const char *rel, struct text *t)
{
	char *path = oi_live_path(lv, lv->tree, rel);
	int rc;

	if (path == NULL) {
		free(t->p);
		return OPTIMG_ENOMEM;
	}
	rc = oi_live_write_file(lv, path, t->p, t->len);
	free(path);
	free(t->p);
	memset(t, 0, sizeof(*t));
	return rc;
}

/* ---- the content --------------------------------------------------------- */

static int
squash(struct oi_live *lv, char **rootfs)
{
	const struct optimg_mklive_opts *o = lv->o;
	char date[32];
	const char *argv[24];
	unsigned n = 0;
	struct stat st;

	if (stat(o->root_dir, &st) < 0 || !S_ISDIR(st.st_mode))
		return oi_set_errno(lv->err, OPTIMG_ENOENT,
		    "'%s' is not a directory", o->root_dir);
	if ((*rootfs = oi_live_path(lv, lv->work, "rootfs.squashfs")) == NULL)
		return OPTIMG_ENOMEM;
	snprintf(date, sizeof(date), "%lld", (long long)lv->date);
	argv[n++] = "mksquashfs";
	argv[n++] = o->root_dir;
	argv[n++] = *rootfs;
	argv[n++] = "-noappend";
	argv[n++] = "-no-progress";
	argv[n++] = "-quiet";
	if (o->have_date) {
		/* times clamped as mkiso clamps them; the order is fixed */
		argv[n++] = "-mkfs-time";
		argv[n++] = date;
		argv[n++] = "-all-time";
		argv[n++] = date;
	}
	/* -e takes every argument after it: it goes last */
	argv[n++] = "-wildcards";
	argv[n++] = "-e";
	argv[n++] = "... " STAGE_NAME "*";
	argv[n] = NULL;
	if (access("/usr/bin/mksquashfs", X_OK) < 0 &&
	    access("/usr/sbin/mksquashfs", X_OK) < 0 &&
	    access("/sbin/mksquashfs", X_OK) < 0 &&
	    access("/bin/mksquashfs", X_OK) < 0) {
		oi_set_error(lv->err, OPTIMG_ENOENT, "mksquashfs not found: "
		    "a root directory is squashed with it (Debian package "
		    "squashfs-tools)");
		return oi_error_about(lv->err, OPTIMG_OPTION_ROOT_DIR);
	}
	return oi_live_run(lv, argv);
}

static int
check_file(struct oi_live *lv, const char *what, const char *path)
{
	struct stat st;

	if (path == NULL)
		return oi_set_error(lv->err, OPTIMG_EINVAL, "no %s given",
		    what);
	if (stat(path, &st) < 0)
		return oi_set_errno(lv->err, OPTIMG_ENOENT, "cannot use %s "
		    "'%s'", what, path);
	if (!S_ISREG(st.st_mode))
		return oi_set_error(lv->err, OPTIMG_EINVAL, "%s '%s' is not "
		    "a file", what, path);
	return OPTIMG_OK;
}

/* --add SRC or SRC=DEST (when SRC itself has no '=' in its name). */
int
oi_live_add_dirs(struct oi_live *lv)
{
	unsigned i;

	for (i = 0; i < lv->o->nadd; i++) {
		const char *a = lv->o->add[i], *eq = strchr(a, '=');
		struct stat st;

		if (eq != NULL && stat(a, &st) < 0) {
			char *src = strndup(a, (size_t)(eq - a));
			int rc;
			if (src == NULL)
				return oi_set_error(lv->err, OPTIMG_ENOMEM,
				    "out of memory");
			rc = stat(src, &st) < 0 ? oi_set_errno(lv->err,
			    OPTIMG_ENOENT, "cannot add '%s'", src) :
			    oi_live_add_source(lv, src, eq + 1);
			free(src);
			OI_TRY(rc);
			continue;
		}
		if (stat(a, &st) < 0)
			return oi_set_errno(lv->err, OPTIMG_ENOENT,
			    "cannot add '%s'", a);
		OI_TRY(oi_live_add_source(lv, a, NULL));
	}
	return OPTIMG_OK;
}

static int
disk_files(struct oi_live *lv)
{
	char rel[64], text[512];
	char *path;
	int rc;

	snprintf(rel, sizeof(rel), ".disk/optimg-%s", lv->id);
	snprintf(text, sizeof(text), "%s\n", lv->id);
	if ((path = oi_live_path(lv, lv->tree, rel)) == NULL)
		return OPTIMG_ENOMEM;
	rc = oi_live_write_file(lv, path, text, strlen(text));
	free(path);
	OI_TRY(rc);
	/* what Debian's signed CD GRUB looks for on a stick */
	snprintf(text, sizeof(text), "%s - %s (optimg mklive %s)\n",
	    lv->o->label, lv->o->title, lv->id);
	if ((path = oi_live_path(lv, lv->tree, ".disk/info")) == NULL)
		return OPTIMG_ENOMEM;
	rc = oi_live_write_file(lv, path, text, strlen(text));
	free(path);
	return rc;
}

static int
check_label(struct oi_live *lv, const char *label)
{
	size_t i, len = strlen(label);

	if (len == 0 || len > 32)
		return oi_set_error(lv->err, OPTIMG_EINVAL, "label '%s' is not "
		    "1 to 32 characters", label);
	for (i = 0; i < len; i++) {
		char c = label[i];
		if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		    (c >= '0' && c <= '9') || c == '_' || c == '-' ||
		    c == '.'))
			return oi_set_error(lv->err, OPTIMG_EINVAL, "label '%s' "
			    "may hold only letters, digits, '_', '-' and '.' "
			    "(it goes on kernel command lines)", label);
	}
	return OPTIMG_OK;
}

/* Text that goes into a menu line must stay on that line. */
static int
check_line(struct oi_live *lv, const char *what, const char *s)
{
	for (; s != NULL && *s != '\0'; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7F)
			return oi_set_error(lv->err, OPTIMG_EINVAL, "the %s has "
			    "a control character (menus take one line)", what);
	return OPTIMG_OK;
}

static int
build_new(struct oi_live *lv)
{
	const struct optimg_mklive_opts *o = lv->o;
	const struct layout *ly = &layouts[o->layout];
	struct text t = { 0 };
	char *squashed = NULL;
	const char *rootfs = o->rootfs;
	int rc;

	OI_TRY(check_file(lv, "kernel", o->kernel));
	OI_TRY(check_file(lv, "initrd", o->initrd));
	if (o->rootfs != NULL && o->root_dir != NULL) {
		oi_set_error(lv->err, OPTIMG_EINVAL, "give a root file "
		    "system image or a root directory, not both");
		return oi_error_about(lv->err, OPTIMG_OPTION_ROOT_DIR);
	}
	if (o->rootfs != NULL)
		OI_TRY(check_file(lv, "root file system", o->rootfs));
	if (o->root_dir != NULL) {
		OI_TRY(squash(lv, &squashed));
		rootfs = squashed;
	}
	rc = make_id(lv, rootfs);
	if (rc == 0)
		rc = oi_live_add_source(lv, o->kernel, ly->kernel);
	if (rc == 0)
		rc = oi_live_add_source(lv, o->initrd, ly->initrd);
	if (rc == 0 && rootfs != NULL)
		rc = oi_live_add_source(lv, rootfs, ly->rootfs);
	free(squashed);
	OI_TRY(rc);
	OI_TRY(oi_live_add_dirs(lv));
	OI_TRY(disk_files(lv));
	OI_TRY(isolinux_cfg(lv, &t));
	OI_TRY(write_text(lv, "isolinux/isolinux.cfg", &t));
	OI_TRY(grub_cfg(lv, &t));
	OI_TRY(write_text(lv, "boot/grub/grub.cfg", &t));
	OI_TRY(oi_live_bios(lv));
	OI_TRY(oi_live_efi(lv));
	if ((lv->volume_id = strdup(o->label)) == NULL)
		return oi_set_error(lv->err, OPTIMG_ENOMEM, "out of memory");
	return OPTIMG_OK;
}

/* ---- the image --------------------------------------------------------- */

static int
write_image(struct oi_live *lv, const char *out)
{
	static const char *const stage_pattern[] = { STAGE_NAME "*" };
	const struct optimg_mklive_opts *o = lv->o;
	struct optimg_mkiso_opts mo;
	struct optimg_mkiso_source *src;
	unsigned i;
	int rc;

	if ((src = oi_calloc(lv->src.n, sizeof(*src))) == NULL)
		return oi_set_error(lv->err, OPTIMG_ENOMEM, "out of memory");
	for (i = 0; i < lv->src.n; i++) {
		src[i].path = lv->src.v[i];
		src[i].dest = lv->dest.v[i];
	}
	memset(&mo, 0, sizeof(mo));
	mo.sources = src;
	mo.nsources = lv->src.n;
	mo.exclude = stage_pattern;
	mo.nexclude = 1;
	mo.hide = (const char *const *)lv->hide.v;
	mo.nhide = lv->hide.n;
	mo.hide_joliet = (const char *const *)lv->hide.v;
	mo.nhide_joliet = lv->hide.n;
	mo.volume_id = lv->volume_id;
	mo.volume_set = lv->volume_set;
	mo.publisher = lv->publisher;
	mo.preparer = lv->preparer;
	mo.application = lv->application;
	mo.system_id = lv->system_id;
	mo.have_date = o->have_date;
	mo.date = o->date;
	mo.boot = lv->boot;
	mo.nboot = lv->nboot;
	mo.boot_catalog = lv->catalog;
	mo.mbr = lv->mbr;
	mo.gpt = lv->gpt;
	mo.partitions = lv->parts;
	mo.npartitions = lv->nparts;
	mo.force = o->force;
	mo.progress = o->progress;
	mo.progress_ctx = o->progress_ctx;
	mo.warning = o->warning;
	mo.warning_ctx = o->warning_ctx;
	rc = optimg_mkiso(&mo, out, lv->err);
	free(src);
	return rc;
}

int
optimg_mklive(const struct optimg_mklive_opts *opts, const char *out_path,
    struct optimg_error *err)
{
	struct optimg_mklive_opts o;
	struct oi_live lv;
	struct stat st;
	int rc;

	if (opts == NULL || out_path == NULL)
		return oi_set_error(err, OPTIMG_EINVAL, "no output");
	o = *opts;
	if (o.label == NULL)
		o.label = "OPTIMG_LIVE";
	if (o.title == NULL)
		o.title = "Live system";
	if ((unsigned)o.layout >= OI_ARRAY_SIZE(layouts))
		return oi_set_error(err, OPTIMG_EINVAL, "bad layout");
	memset(&lv, 0, sizeof(lv));
	lv.o = &o;
	lv.err = err;
	lv.date = o.have_date ? o.date : (int64_t)time(NULL);
	if (!o.force && stat(out_path, &st) == 0) {
		oi_set_error(err, OPTIMG_EEXIST, "'%s' already exists",
		    out_path);
		return oi_error_remedy(err, OPTIMG_OPTION_REPLACE,
		    OPTIMG_OPTION_NONE);
	}
	if (o.from_iso == NULL)
		OI_TRY(check_label(&lv, o.label));
	OI_TRY(check_line(&lv, "title", o.title));
	OI_TRY(check_line(&lv, "kernel command line", o.cmdline));
	rc = stage_open(&lv, out_path);
	if (rc == 0)
		rc = o.from_iso != NULL ? oi_live_remaster(&lv) :
		    build_new(&lv);
	if (rc == 0)
		rc = write_image(&lv, out_path);
	stage_close(&lv);
	return rc;
}
