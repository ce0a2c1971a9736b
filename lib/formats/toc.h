/*
 * toc.h - cdrdao's TOC files: toc_parse.c turns the text into this
 * structure (pure, hostile input), fmt_toc.c opens the files it names and
 * lays it out on the disc model, write_toc.c writes one.
 */
#ifndef OI_TOC_H
#define OI_TOC_H

#include "oi_private.h"

/* Track and data modes, as cdrdao spells them (toc_mode_names[]). */
enum oi_toc_mode {
	OI_TOC_AUDIO,		/* 2352 bytes a block */
	OI_TOC_MODE0,		/* ZERO only: 2336 zero bytes */
	OI_TOC_MODE1,		/* 2048 */
	OI_TOC_MODE1_RAW,	/* 2352 */
	OI_TOC_MODE2,		/* 2336, formless */
	OI_TOC_MODE2_FORM1,	/* 2048 */
	OI_TOC_MODE2_FORM2,	/* 2324 */
	OI_TOC_MODE2_FORM_MIX,	/* 2336 including the subheader */
	OI_TOC_MODE2_RAW,	/* 2352 */
};

enum oi_toc_sub {
	OI_TOC_SUB_NONE,
	OI_TOC_SUB_RW,		/* packed R-W, 96 bytes after each block */
	OI_TOC_SUB_RW_RAW,	/* raw interleaved P-W, 96 bytes likewise */
};

enum oi_toc_part_kind {
	OI_TOC_FILE,		/* FILE / AUDIOFILE: start and length */
	OI_TOC_DATAFILE,	/* DATAFILE: length only */
	OI_TOC_SILENCE,		/* zero audio */
	OI_TOC_ZERO,		/* zero data of a mode */
};

/* One statement adding data to a track, lengths in bytes. */
struct oi_toc_part {
	enum oi_toc_part_kind	 kind;
	unsigned		 line;
	char			*name;		/* as written; FILE, DATAFILE */
	bool			 swap;		/* SWAP */
	uint64_t		 offset;	/* #byte-offset */
	uint64_t		 start;		/* FILE: bytes after offset */
	uint64_t		 length;	/* 0: to the end of the file */
	enum oi_toc_mode	 mode;		/* ZERO's mode, else the track's */
	enum oi_toc_sub		 sub;
};

struct oi_toc_track {
	enum oi_toc_mode	 mode;
	enum oi_toc_sub		 sub;
	unsigned		 line;		/* of TRACK */
	unsigned		 flags;		/* OPTIMG_FLAG_DCP, PRE, 4CH */
	char			 isrc[13];
	struct optimg_cdtext	 cdtext;
	struct oi_toc_part	*parts;
	unsigned		 nparts;
	/* START (end of the pre-gap) in bytes of the track's data; PREGAP
	   is a zero part first and a START after it. */
	bool			 start_given;
	uint64_t		 start;
	unsigned		 start_line;
	/* START without a position: the end of the first start_parts
	   parts, known once the files' lengths are. */
	bool			 start_at_parts;
	unsigned		 start_parts;
	/* INDEX 2.. in blocks after START. */
	uint32_t		 index[OPTIMG_MAX_INDEX];
	unsigned		 nindex;
	unsigned		 index_line[OPTIMG_MAX_INDEX];
};

struct oi_toc {
	char			 catalog[14];
	int			 type;		/* -1, or OI_TOC_CD_DA.. */
	unsigned		 first_track;	/* FIRST_TRACK_NO, else 1 */
	struct optimg_cdtext	 cdtext;
	struct oi_toc_track	*tracks;
	unsigned		 ntracks;
	/* What was read other than as written ("line N: ..."), in order */
	struct optimg_note	*warnings;
	unsigned		 nwarnings;
};

enum { OI_TOC_CD_DA, OI_TOC_CD_ROM, OI_TOC_CD_ROM_XA, OI_TOC_CD_I };

/* Bytes of one block of mode with sub (cdrdao's dataBlockSize). */
unsigned oi_toc_block_size(enum oi_toc_mode mode, enum oi_toc_sub sub);
/* "MODE2_FORM_MIX", ... */
const char *oi_toc_mode_name(enum oi_toc_mode mode);

/*
 * Parses a TOC file held in memory (hostile: any length, any bytes).  On
 * failure err says "line N: problem".
 */
int oi_toc_parse(const char *text, size_t len, struct oi_toc **out,
    struct optimg_error *err);
void oi_toc_free(struct oi_toc *toc);

#endif
