/*
 * cli.h - what the optimg command's files share: the command table,
 * error reporting in git's wording, progress display.
 */
#ifndef CLI_H
#define CLI_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "optimg.h"

/* Exit statuses: 0 ok, 1 failure, 2 usage. */
#define EXIT_USAGE 2

struct cli_command {
	const char	*name;
	const char	*summary;	/* one line for `optimg --help` */
	int		(*run)(int argc, char **argv);
};

extern const struct cli_command cli_commands[];

/* Global options, set by main() before the command runs. */
extern bool cli_quiet;
/* --json: stdout is one JSON document; no progress is drawn. */
extern bool cli_json_output;
extern const char *cli_command_name;

/* "optimg: CMD: message" on stderr. */
void cli_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void cli_warning(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* A usage error: prints the message and a hint to --help; returns 2. */
int cli_usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* For getopt's '?': names the option that was wrong; returns 2. */
int cli_bad_option(char **argv);
/* A count of seconds, or @seconds (SOURCE_DATE_EPOCH, --date); -1 if bad. */
int cli_parse_seconds(const char *s, int64_t *out);
/*
 * The exit status of a command that wrote out (0 or 1), after saying why
 * it failed: an interruption names the output that was not written.
 */
int cli_write_status(int rc, const struct optimg_error *err,
    const char *out);
/*
 * A library error worded for the command line: the message, with the
 * flag it is about before it and the flags that would get past it after
 * it (the library names no flags).  Borrowed until the next call.
 */
const char *cli_errmsg(const struct optimg_error *err);
/* Exit status for a failed library call: 2 when err is about a flag. */
int cli_fail_status(const struct optimg_error *err);
/*
 * Text from an image, a DAT, a map or a cue (cli_text.c): cli_name()
 * quotes it ls-style when it holds control characters or invalid UTF-8,
 * unless --raw was given and standard output is not a terminal.  The
 * result lives until eight more calls.  cli_json_print() prints a JSON
 * tree after making every string valid UTF-8 (KEY_raw: the bytes in hex).
 */
extern bool cli_raw;
const char *cli_name(const char *s);
/* cli_name() between quotes, which a quoted form brings itself. */
const char *cli_quoted(const char *s);
struct json_object;
void cli_json_print(struct json_object *o);
/* Warning callback for the library. */
void cli_warning_cb(void *ctx, const char *message);

/*
 * --json (cli_json.c): cli_json_begin() opens the command's document
 * (members "command", "ok", "exit", "error", "warnings"; add the
 * command's own to the object it returns); while it is open cli_error()
 * and cli_warning() are recorded in it too; cli_json_end(status) prints
 * it and returns status.  Without --json nothing is opened and
 * cli_json_end() just returns status.
 */
struct json_object;
struct json_object *cli_json_begin(const char *command);
bool cli_json_active(void);
void cli_json_note(bool error, const char *message);
/* Adds a library error's status, about and remedy to the error member. */
void cli_json_error_detail(const struct optimg_error *err);
int cli_json_end(int status);
void cli_json_add_str(struct json_object *o, const char *key,
    const char *value);
void cli_json_add_u64(struct json_object *o, const char *key,
    uint64_t value);
struct json_object *cli_json_hashes(const struct optimg_hashes *h);
/* rip_json.c: adds a rip's device, output and result to doc. */
void cli_rip_json(struct json_object *doc, const char *device,
    const char *out, const struct optimg_rip_result *res);

/* Opens an image or prints why not; NULL on failure. */
/* A CHD's parent named by --parent, for cli_open_image(); NULL: none. */
extern const char *cli_chd_parent;
struct optimg_image *cli_open_image(const char *path);

/* SIGINT/SIGTERM set this; long work polls it through the progress hook. */
extern volatile int cli_interrupted;
void cli_install_signal_handlers(void);

/* Progress bar with rate and ETA on a TTY; silent in a pipe or with -q. */
struct cli_progress {
	const char	*label;
	bool		 enabled;
	double		 started;
	double		 last_draw;
};
/* Whether progress is drawn: stderr is a TTY, and neither -q nor --json. */
bool cli_progress_wanted(void);
/*
 * The one wording of a progress line, for every long job:
 * "LABEL [=====     ]  42.0%   12.3 MB/s ETA 01:02 EXTRA".  rate is in
 * bytes per second (negative: no rate, as for blanking), eta in seconds.
 */
void cli_progress_line(const char *label, double pct, double rate,
    double eta, const char *extra);
void cli_progress_init(struct cli_progress *p, const char *label);
int cli_progress_cb(void *ctx, uint64_t done, uint64_t total);
void cli_progress_done(struct cli_progress *p);

/* optimg info --boot-recipe: the recipe as a shell script. */
void cli_print_boot_recipe(FILE *f, const struct optimg_boot_recipe *r,
    const char *image);

/* Command entry points, one file each. */
int cmd_info(int argc, char **argv);
int cmd_convert(int argc, char **argv);
int cmd_ls(int argc, char **argv);
int cmd_extract(int argc, char **argv);
int cmd_cat(int argc, char **argv);
/* Mounting a view of an image through FUSE (cmd_mount.c). */
int cmd_mount(int argc, char **argv);
int cmd_umount(int argc, char **argv);
int cmd_mkiso(int argc, char **argv);
int cmd_mklive(int argc, char **argv);
/* Burning (cmd_burn.c, cmd_drives.c) and raw writes (cmd_write.c). */
int cmd_drives(int argc, char **argv);
int cmd_burn(int argc, char **argv);
int cmd_blank(int argc, char **argv);
int cmd_format(int argc, char **argv);
int cmd_write(int argc, char **argv);
/* Ripping and verifying (cmd_rip.c, cmd_verify.c). */
int cmd_rip(int argc, char **argv);
int cmd_verify(int argc, char **argv);

/* File systems (cli_fs.c): options, opening, ls-style formatting. */
int cli_fs_parse_namespace(const char *arg, struct optimg_fs_opts *opts);
int cli_fs_parse_session(const char *arg, struct optimg_fs_opts *opts);
/* Opens the image and its file system, or prints why not and returns 1. */
int cli_fs_open(const char *path, const struct optimg_fs_opts *opts,
    struct optimg_image **img, struct optimg_fs **fs);
void cli_fs_mode_string(const struct optimg_fs_stat *st, char out[11]);
void cli_fs_time_string(const struct optimg_timespec *t, char out[20]);
/* Streams a file's data to fd; prints the error and returns 1 on failure. */
int cli_fs_copy_to_fd(struct optimg_fs *fs, const char *image,
    const struct optimg_fs_stat *st, int fd, const char *fdname,
    void *buf, size_t bufsize);
/*
 * File-system part of `optimg info` (fs_info.c): prints volume descriptors,
 * name spaces, boot catalog and partition tables, or, when json is not
 * NULL, adds them to it as member "filesystem".  Never fails the command.
 */
struct json_object;
int cli_fs_info(struct optimg_image *img, struct json_object *json);
/* Writes each El Torito boot image into dirfd (cli_fs.c). */
int cli_fs_extract_boot_images(struct optimg_fs *fs, const char *image,
    int dirfd, bool force, unsigned *failed);

#endif
