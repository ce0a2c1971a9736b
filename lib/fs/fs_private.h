/*
 * fs_private.h - what the file-system reader's files share (fs.c,
 * fs_iso9660*.c, fs_udf.c, fs_eltorito.c, fs_sysarea.c).  Not installed.
 *
 * A file system reads sectors through a struct oi_fs_reader: either an
 * optimg_image (optimg_fs_open) or a buffer in memory (oi_fs_open_mem, for
 * tests and fuzzing).  Each name-space reader fills whole directories at a
 * time into a struct oi_fs_dirbuf; fs.c builds lookup, iteration, the
 * recursive walk (with its loop and depth checks) and file reads on top.
 */
#ifndef FS_PRIVATE_H
#define FS_PRIVATE_H

#ifndef OPTIMG_BUILD
#error "fs_private.h is internal to liboptimg"
#endif

#include "oi_private.h"

#define OI_FS_SECTOR		2048
#define OI_FS_MAX_DIR_BYTES	(64u << 20)	/* one directory's extent */
#define OI_FS_MAX_DEPTH		1024		/* directory nesting */
#define OI_FS_MAX_CE		64		/* SUSP continuations per record */
#define OI_FS_MAX_NAME		4096		/* bytes of one NM / SL result */
#define OI_FS_MAX_EXTENTS	65536		/* multi-extent parts */
#define OI_FS_MAX_VDS		64		/* volume descriptors read */
#define OI_FS_RAW		2336		/* raw sector less sync, header */
#define OI_FS_FORM2		2324		/* Form 2 user data */
#define OI_FS_RAW_RUN		32		/* raw sectors read at once */

struct oi_fs_reader {
	int		(*read)(void *ctx, int32_t lba, uint32_t count, void *buf,
			    struct optimg_error *err);
	void		*ctx;
	int32_t		 end;		/* first LBA past the readable data */
	int32_t		 start;		/* LBA of the chosen track/session */
	/* Optional: where sectors lie in a file as plain user data. */
	int		(*span)(void *ctx, int32_t lba, uint32_t count,
			    struct oi_plain_span *out);
	/*
	 * Optional: count sectors as raw bytes 16..2351 (OI_FS_RAW each),
	 * for Form 2 file data.  OPTIMG_EUNSUPP, message left unset, when
	 * the image keeps only 2048 bytes of some of them.
	 */
	int		(*read_raw)(void *ctx, int32_t lba, uint32_t count,
			    void *buf, struct optimg_error *err);
};

/* One directory entry with the storage its stat's pointers point into. */
struct oi_fs_entry {
	struct optimg_fs_stat	 st;
	char			*name;
	char			*symlink;
	struct optimg_fs_extent	*ext;
	unsigned		 hidden : 1;	/* RE: shown at its CL place */
	uint32_t		 child_lba;	/* CL target, 0 when none */
};

struct oi_fs_dirbuf {
	struct oi_fs_entry	*e;
	unsigned		 n, cap;
};

struct oi_fs_ops {
	const char	*name;
	/* Fills out with dir's entries ("." and ".." left out). */
	int		(*read_dir)(struct optimg_fs *fs,
			    const struct optimg_fs_stat *dir,
			    struct oi_fs_dirbuf *out);
	void		(*free)(struct optimg_fs *fs);
};

struct oi_iso {
	uint32_t	root_lba;	/* root directory extent */
	uint32_t	root_size;
	bool		joliet;		/* names are UCS-2BE */
	bool		rr;		/* decode Rock Ridge entries */
	unsigned	susp_skip;	/* SP LEN_SKP */
	uint32_t	volume_blocks;
};

struct optimg_fs {
	const struct oi_fs_ops		*ops;
	struct oi_fs_reader		 rd;
	bool				 own_ctx;	/* free rd.ctx */
	struct optimg_error		 err;
	enum optimg_fs_namespace	 ns;
	unsigned			 namespaces;	/* 1 << ns present */
	struct oi_fs_entry		 root;
	struct optimg_fs_vd		*vds;
	unsigned			 nvds;
	struct oi_iso			 iso;
	void				*udf;		/* fs_udf.c's state */
	struct optimg_boot_catalog	*boot;
	bool				 boot_read;
	struct optimg_sysarea		*sysarea;
	uint8_t				*bounce;	/* one sector */
	uint8_t				*copybuf;	/* fs_copy.c's, lazily */
	uint8_t				*rawbuf;	/* fs_xa.c's, lazily */
	bool				 no_copy_range;	/* kernel said no */
	bool				 no_sendfile;
	uint64_t			 kernel_copied;	/* bytes, for tests */
	/* What optimg_fs_open() was given, so oi_fs_reopen() can repeat it;
	   img is NULL for a file system in memory. */
	struct optimg_image		*img;
	struct optimg_fs_opts		 opts;
};

/* fs.c */
/*
 * Opens the same image and file system once more, for another thread (a
 * file system is not thread-safe); silent, -1 when that cannot be done.
 */
int oi_fs_reopen(const struct optimg_fs *fs, struct optimg_image **img,
    struct optimg_fs **out);
int oi_fs_read_sectors(struct optimg_fs *fs, uint32_t lba, uint32_t count,
    void *buf);
struct oi_fs_entry *oi_fs_dirbuf_add(struct oi_fs_dirbuf *d);
void oi_fs_dirbuf_release(struct oi_fs_dirbuf *d);
void oi_fs_entry_release(struct oi_fs_entry *e);
/* Reads bytes [off, off + n) of one extent into buf. */
int oi_fs_read_extent(struct optimg_fs *fs, const struct optimg_fs_extent *x,
    uint64_t off, uint8_t *buf, size_t n);
/* Checks that lba + bytes lies inside the image; names what in errors. */
int oi_fs_check_extent(struct optimg_fs *fs, uint32_t lba, uint64_t bytes,
    const char *what);
int oi_fs_open_reader(const struct oi_fs_reader *rd,
    const struct optimg_fs_opts *opts, struct optimg_fs **out,
    struct optimg_error *err);
/* An image held in memory: LBA 0 at byte 0, `sector` bytes a sector. */
struct oi_fs_mem {
	const uint8_t	*data;
	size_t		 len;
	size_t		 sector;
};
/* OPTIMG_ERANGE unless sectors lba..lba+count-1 are all in m. */
int oi_fs_mem_check(const struct oi_fs_mem *m, int32_t lba, uint32_t count,
    struct optimg_error *err);
/* Opens rd (read, read_raw set by the caller) over data; owns the context. */
int oi_fs_open_mem_with(struct oi_fs_reader *rd, const void *data, size_t len,
    size_t sector, const struct optimg_fs_opts *opts, struct optimg_fs **out,
    struct optimg_error *err);
/* A file system over an image held in memory (.iso layout, LBA 0 = byte 0). */
int oi_fs_open_mem(const void *data, size_t len,
    const struct optimg_fs_opts *opts, struct optimg_fs **out,
    struct optimg_error *err);

/* fs_iso9660_vd.c */
int oi_iso_open(struct optimg_fs *fs, enum optimg_fs_namespace ns);
int64_t oi_iso_time7(const uint8_t *p, bool *valid);
int64_t oi_iso_time17(const uint8_t *p, uint32_t *nsec, bool *valid);
extern const struct oi_fs_ops oi_fs_iso_ops;

/* fs_iso9660_dir.c */
int oi_iso_read_dir(struct optimg_fs *fs, const struct optimg_fs_stat *dir,
    struct oi_fs_dirbuf *out);
/* Reads the "." record of a directory: SP detection and CL targets. */
int oi_iso_read_dot(struct optimg_fs *fs, uint32_t lba, struct oi_fs_entry *e,
    uint32_t *size);

/* fs_iso9660_rr.c */
struct oi_rr {
	bool		 any;		/* some RRIP entry was seen */
	bool		 have_px, have_pn, have_nm, have_sl, have_tf;
	bool		 re, sp;
	uint32_t	 cl, pl;
	uint8_t		 sp_skip;
	uint32_t	 mode, nlink, uid, gid, ino;
	bool		 have_ino;
	uint32_t	 dev_high, dev_low;
	struct optimg_timespec mtime, atime, ctime, crtime;
	bool		 have_mtime, have_atime, have_ctime;
	char		*nm;		/* malloc'd, NUL-terminated */
	size_t		 nm_len;
	char		*sl;
	size_t		 sl_len;
	bool		 sl_more;	/* last component continues */
	bool		 er_rrip;	/* ER names RRIP */
};

/* Parses a record's system-use area (and its CE continuations). */
int oi_rr_parse(struct optimg_fs *fs, const uint8_t *su, size_t len,
    struct oi_rr *rr);
void oi_rr_release(struct oi_rr *rr);

/* fs_iso9660_name.c */
/* UCS-2BE/UTF-16BE to UTF-8; NUL and '/' are kept for the caller to judge. */
char *oi_ucs2be_to_utf8(const uint8_t *p, size_t len);
/* The same without dropping anything: UDF names are taken as stored. */
char *oi_ucs2be_decode(const uint8_t *p, size_t len);
/* d-characters: ";1" version and a trailing '.' dropped. */
char *oi_iso_name(const uint8_t *p, size_t len);
/* Replaces NUL bytes in a name of len bytes by '_' and terminates it. */
void oi_fs_name_fix(char *name, size_t len);

/* fs_xa.c */
/* The record's system-use area holds CD-ROM XA's entry marking Form 2. */
bool oi_xa_is_form2(const uint8_t *su, size_t len);
/*
 * Reads bytes [off, off + n) of Form 2 extent x of file name into buf,
 * checking each sector's EDC; names the file when the image lacks them.
 */
int oi_fs_read_form2(struct optimg_fs *fs, const char *name,
    const struct optimg_fs_extent *x, uint64_t off, uint8_t *buf, size_t n);
/* rd.read_raw over an optimg_image (ctx). */
int oi_fs_image_read_raw(void *ctx, int32_t lba, uint32_t count, void *buf,
    struct optimg_error *err);
/* An in-memory file system over raw 2352-byte Mode 1/2 sectors (tests). */
int oi_fs_open_mem_raw(const void *data, size_t len,
    const struct optimg_fs_opts *opts, struct optimg_fs **out,
    struct optimg_error *err);

/* fs_eltorito.c */
int oi_eltorito_parse(const uint8_t *cat, size_t len, uint32_t lba,
    struct optimg_boot_catalog **out, struct optimg_error *err);
/* Checks bytes 8..63 of a boot image for a boot-info table. */
bool oi_eltorito_has_info_table(const uint8_t *img, size_t len,
    uint32_t pvd_lba, uint32_t image_lba);
void oi_boot_catalog_free(struct optimg_boot_catalog *cat);

/* fs_sysarea.c */
int oi_sysarea_parse(const uint8_t *buf, size_t len,
    struct optimg_sysarea **out, struct optimg_error *err);
void oi_sysarea_free(struct optimg_sysarea *sa);

/* fs_udf.c */
int oi_udf_probe(struct optimg_fs *fs);
int oi_udf_open(struct optimg_fs *fs);

#endif /* FS_PRIVATE_H */
