/*
 * iso_write.h - the ISO 9660 writer's phases and the structures they pass
 * along.  Internal to liboptimg.
 *
 * The writer runs in phases, each in its own file:
 *   iso_write_tree.c      scan the sources into a tree of nodes, name them
 *                         in each name space (ISO, Joliet, Rock Ridge)
 *   iso_write_layout.c    assign logical block addresses to everything
 *   iso_write_records.c   directory records, SUSP/RRIP entries, path tables
 *   iso_write_eltorito.c  the El Torito boot catalog and boot info table
 *   iso_write_hybrid.c    MBR and GPT in the system area and at the end
 *   iso_write.c           the public API and the one sequential write
 * Nothing is written before the layout is complete, so the image size is
 * known before the first byte leaves (a burner needs it).
 */
#ifndef OI_ISO_WRITE_H
#define OI_ISO_WRITE_H

#include <sys/types.h>

#include "arena.h"
#include "oi_private.h"
#include "worker.h"

#define ISO_BLOCK		2048u
#define ISO_SYSTEM_AREA		16u		/* blocks before the PVD */
#define ISO_MAX_EXTENT		0xFFFFF800u	/* 4 GiB - 2048 (libisofs) */
#define ISO_MAX_LEVEL		8		/* ECMA-119 6.8.2.1 */
#define ISO_RECORD_MAX		255u
#define ISO_ID_MAX		212	/* Joliet: 105 UCS-2 characters */

enum { NS_ISO = 0, NS_JOLIET = 1, NS_COUNT = 2 };

enum oi_iso_kind {
	ISO_DIR,
	ISO_FILE,
	ISO_SYMLINK,
	ISO_SPECIAL,		/* device, FIFO, socket: Rock Ridge only */
	ISO_CATALOG,		/* the El Torito boot catalog */
};

/* What only directories have; NULL in other nodes. */
struct oi_iso_dir {
	struct oi_iso_node	**kids;		/* real children, sorted */
	unsigned		 nkids, capkids;

	/* Children per name space, in recording order. */
	struct oi_iso_node	**nskids[NS_COUNT];
	unsigned		 nnskids[NS_COUNT];
	struct oi_iso_node	*iso_parent;	/* RR_MOVED when relocated */
	uint8_t			 reloc_id[32];	/* name inside RR_MOVED */
	uint8_t			 reloc_idlen;
	unsigned		 level;		/* ISO tree level, root 1 */

	/* Layout. */
	uint32_t		 dir_lba[NS_COUNT], dir_size[NS_COUNT];
	uint16_t		 ptnum[NS_COUNT];	/* path table number */
};

/*
 * One per file, directory or link: tens of thousands of them, so what
 * only directories need is in dir, and the struct is kept without holes.
 */
struct oi_iso_node {
	char			*name;		/* real name (Rock Ridge NM) */
	/* Host path, NULL if made up; with src_in_dir only the directory
	 * part ("dir/"), shared, to which name is appended (oi_iso_src). */
	const char		*src;
	struct oi_iso_node	*parent;	/* real parent */
	struct oi_iso_dir	*dir;		/* directories only */

	/* Metadata as Rock Ridge records it (times already clamped). */
	uint32_t		 mode, uid, gid, nlink;
	uint64_t		 rdev;
	uint64_t		 size;
	int64_t			 mtime, atime, ctime;
	uint64_t		 src_dev, src_ino;	/* hard link detection */
	char			*target;	/* symlink target */
	struct oi_iso_node	*link_owner;	/* hard link sharing data */
	uint8_t			*mem;		/* data held in memory */
	uint32_t		 serial;	/* PX file serial number */
	int			 weight;	/* --sort: higher goes first */

	/* Identifiers as recorded (ISO: d-characters ";1"; Joliet: UCS-2BE). */
	uint8_t			*id[NS_COUNT];
	uint8_t			 idlen[NS_COUNT];

	uint8_t			 kind;		/* enum oi_iso_kind */
	bool			 src_in_dir;
	bool			 hide[NS_COUNT];
	bool			 efi_image;	/* an El Torito EFI image */
	bool			 boot_image;	/* any El Torito image */
	bool			 needed;	/* its data goes in the image */
	bool			 relocated;	/* in RR_MOVED (directories) */
	bool			 is_rr_moved;	/* the relocation directory */
	bool			 reloc_marked;	/* made up: RE hides it */

	/* Layout. */
	uint32_t		 data_lba;	/* files */
	uint32_t		 ce_lba, ce_size;	/* RR continuation */
};

struct oi_iso_boot {
	struct oi_iso_node	*node;
	uint8_t			 platform;
	uint8_t			 media;		/* El Torito media type */
	uint8_t			 system_type;	/* HD emulation */
	uint16_t		 load_size;	/* sectors as recorded */
	bool			 info_table;
	bool			 grub2_boot_info;
};

struct oi_iso_part {
	unsigned	 number;
	uint8_t		 type;
	char		*path;
	uint64_t	 size;
	uint64_t	 dev, ino;	/* as when laid out */
	uint32_t	 lba;		/* 2048-byte block in the image */
};

struct optimg_mkiso {
	struct optimg_mkiso_opts	 o;	/* strings borrowed from caller */
	struct oi_arena			 arena;	/* nodes, names, identifiers */
	struct optimg_error		 err;
	struct oi_iso_node		*root;
	struct oi_iso_node		*rr_moved;
	struct oi_iso_node		*catalog;
	struct oi_iso_node		**all;	/* every node, tree order */
	size_t				 nall, capall;
	struct oi_iso_node		**files;	/* data order */
	size_t				 nfiles;
	struct oi_iso_node		**dirs[NS_COUNT];	/* path table order */
	size_t				 ndirs[NS_COUNT];
	struct oi_iso_node		**dorder[NS_COUNT];	/* extents */
	struct oi_iso_boot		*boot;
	unsigned			 nboot;
	struct oi_iso_part		*parts;
	unsigned			 nparts;
	bool				 rock, joliet;
	unsigned			 joliet_max;	/* characters */
	int64_t				 now;	/* volume dates */
	bool				 reproducible;
	uint8_t				 digest[32];	/* of the tree metadata */
	uint8_t				 mbr_code[432];
	size_t				 mbr_len;
	bool				 mbr_grub2;	/* wants LBA + 4 */
	bool				 have_out;	/* output to leave out */
	bool				 changed;	/* a source changed */
	uint64_t			 out_dev, out_ino;

	/* Layout results (blocks of 2048). */
	uint32_t	 pt_size[NS_COUNT];		/* bytes */
	uint32_t	 pt_lba[NS_COUNT][2];		/* L, M */
	uint32_t	 catalog_lba;
	uint32_t	 iso_blocks;	/* volume space size */
	uint64_t	 image_bytes;	/* everything, padding included */
	bool		 hybrid;
	uint32_t	 output_blocks;	/* ISO + padding, before parts */
	uint64_t	 data_bytes;	/* file bytes to copy, for progress */
	unsigned	 iso_level;
};

/* ---- iso_write_source.c ---- */
/*
 * Opens files to copy: by name in their directory, kept open here, and
 * checked to be the file scanned.  Errors go to *err; changed is set when
 * a file is no longer the one scanned.  One per thread.
 */
#define OI_ISO_DIR_CACHE	8
struct oi_iso_opener {
	const char		*key[OI_ISO_DIR_CACHE];	/* node->src */
	int			 fd[OI_ISO_DIR_CACHE];
	unsigned		 used[OI_ISO_DIR_CACHE];
	unsigned		 clock;
	bool			 atime_kept;	/* O_NOATIME refused */
	bool			 changed;
	struct optimg_error	*err;
};
void oi_iso_opener_init(struct oi_iso_opener *o, struct optimg_error *err);
void oi_iso_opener_close(struct oi_iso_opener *o);
/*
 * Opens path (relative to dfd, or AT_FDCWD) for its data, or fails when
 * it is no longer the file scanned: same device, inode and size, never
 * through a symbolic link unless follow.  shown names it in messages.
 * Returns the descriptor or a negative status.
 */
int oi_iso_open_at(struct oi_iso_opener *o, int dfd, const char *path,
    const char *shown, bool follow, uint64_t dev, uint64_t ino,
    uint64_t size);
/* The same for a scanned file, whose host path src is (oi_iso_src). */
int oi_iso_open_node(struct oi_iso_opener *o, const struct oi_iso_node *f,
    const char *src);
/* oi_iso_open_at from the current directory, errors in mk. */
int oi_iso_open_source(struct optimg_mkiso *mk, const char *path,
    bool follow, uint64_t dev, uint64_t ino, uint64_t size);
/* read(2) of a source: restarts, and blocks where O_NONBLOCK refused. */
ssize_t oi_iso_read(int fd, void *p, size_t len);

/*
 * Reads runs of files, each whole and in the image's byte order, into
 * one buffer on up to two threads (the caller's and a helper).
 */
struct oi_iso_reader {
	struct oi_iso_opener	 open;
	struct optimg_error	 err;
	size_t			 failed;	/* index, SIZE_MAX if none */
};
struct oi_iso_batch {
	struct oi_worker			 helper;
	struct oi_iso_reader			 reader[2];
	unsigned				 threads;
	const struct oi_iso_node *const		*files;
	size_t					 n, next;
	uint8_t					*dst;
	uint64_t				 base;
	bool					 stop;
};
void oi_iso_batch_init(struct oi_iso_batch *b);
void oi_iso_batch_free(struct oi_iso_batch *b);
/*
 * Reads files[0..n), which follow each other in the image, file k to
 * dst + its data_lba * 2048 - base, and zeroes the rest of each one's
 * last block.  Fails as one thread would on the first file in order that
 * fails (its error in mk->err, mk->changed set when it changed).
 */
int oi_iso_batch_read(struct oi_iso_batch *b, struct optimg_mkiso *mk,
    const struct oi_iso_node *const *files, size_t n, uint8_t *dst,
    uint64_t base);

/* ---- iso_write_tree.c ---- */
int oi_iso_tree_build(struct optimg_mkiso *mk);
void oi_iso_tree_free(struct optimg_mkiso *mk);
/* Finds a node by its path in the image ("boot/isolinux.bin"). */
struct oi_iso_node *oi_iso_lookup(struct optimg_mkiso *mk, const char *path);
/* Host path of a node (NULL if made up), in buf when it must be built. */
const char *oi_iso_src(const struct oi_iso_node *n, char *buf, size_t len);
/* Image path of a node, for messages; written into buf. */
const char *oi_iso_path(const struct oi_iso_node *n, char *buf, size_t len);
void oi_iso_warn(struct optimg_mkiso *mk, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Adds the boot catalog as a file at path. */
int oi_iso_add_catalog(struct optimg_mkiso *mk, const char *path,
    struct oi_iso_node **out);
/* Makes the node names and sorted child lists of every name space. */
int oi_iso_names(struct optimg_mkiso *mk);

/* ---- iso_write_layout.c ---- */
int oi_iso_layout(struct optimg_mkiso *mk);
/* Number of extents a file of this size needs. */
uint32_t oi_iso_nextents(uint64_t size);

/* ---- iso_write_records.c ---- */
struct oi_buf {
	uint8_t	*p;
	size_t	 len, cap;
};
int oi_buf_put(struct oi_buf *b, const void *data, size_t len);
int oi_buf_zero(struct oi_buf *b, size_t len);
void oi_buf_release(struct oi_buf *b);

/* Builds a directory's extent (and its CE area for ISO) into dir/ce. */
int oi_iso_dir_build(struct optimg_mkiso *mk, struct oi_iso_node *d, int ns,
    struct oi_buf *dir, struct oi_buf *ce);
/* Builds the L (msb false) or M path table of a name space. */
int oi_iso_path_table(struct optimg_mkiso *mk, int ns, bool msb,
    struct oi_buf *out);
/* Volume descriptors: PVD (ns NS_ISO) or Joliet SVD. */
void oi_iso_volume_descriptor(struct optimg_mkiso *mk, int ns,
    uint8_t block[ISO_BLOCK]);
/* Field encoders (ECMA-119 7.2 - 7.3, 8.4.26.1, 9.1.5). */
void oi_iso_721(uint8_t *p, uint16_t v);
void oi_iso_722(uint8_t *p, uint16_t v);
void oi_iso_723(uint8_t *p, uint16_t v);
void oi_iso_731(uint8_t *p, uint32_t v);
void oi_iso_732(uint8_t *p, uint32_t v);
void oi_iso_733(uint8_t *p, uint32_t v);
void oi_iso_date7(uint8_t *p, int64_t t);
void oi_iso_date17(uint8_t *p, int64_t t);

/* ---- iso_write_eltorito.c ---- */
int oi_iso_boot_prepare(struct optimg_mkiso *mk);	/* after the tree */
int oi_iso_boot_patch(struct optimg_mkiso *mk);		/* after layout */
void oi_iso_boot_record(struct optimg_mkiso *mk, uint8_t block[ISO_BLOCK]);
void oi_iso_boot_catalog(struct optimg_mkiso *mk, uint8_t block[ISO_BLOCK]);

/* ---- iso_write_hybrid.c ---- */
int oi_iso_hybrid_prepare(struct optimg_mkiso *mk);	/* before layout */
/* System area (16 blocks) and the tail (backup GPT) of the padded image. */
int oi_iso_system_area(struct optimg_mkiso *mk, uint8_t *area);
void oi_iso_gpt_backup(struct optimg_mkiso *mk, const uint8_t *area,
    uint8_t tail[33 * 512]);
/* A GUID derived from the tree digest and a label (RFC 4122 layout). */
void oi_iso_guid(const struct optimg_mkiso *mk, const char *label,
    uint8_t guid[16]);

#endif
