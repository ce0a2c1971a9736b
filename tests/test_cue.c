/*
 * test_cue.c - the CUE sheet module: parser (each construct and each
 * error, from sheets written here), layout (with made-up file sizes),
 * writer (exact text, and parse -> layout -> write -> parse round trips),
 * the format module on files in a scratch directory, and hostile input.
 *
 * libcdio's sheets in TESTDATA (../shared/testdata/libcdio) are read in
 * place when they are there; the test says so loudly when they are not.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "oi_private.h"
#include "cunit_main.h"
#include "testdata.h"

/*
 * The round-trip oracle of the fuzz target, used here on seeded random
 * input: one source, two drivers (the Makefile gives each program one).
 */
#include "fuzz/fuzz_cue.c"

/* ---- helpers ----------------------------------------------------------- */

static struct oi_cue_sheet *
parse_ok(const char *text)
{
	struct oi_cue_sheet *s = NULL;
	struct optimg_error err = { 0 };
	int rc = oi_cue_parse(text, strlen(text), &s, &err);

	if (rc != 0)
		fprintf(stderr, "\n  unexpected parse error: %s\n",
		    err.message);
	CU_ASSERT_EQUAL_FATAL(rc, 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	return s;
}

static void
expect_error_len(const char *text, size_t len, int code, const char *msg)
{
	struct oi_cue_sheet *s = (void *)1;
	struct optimg_error err = { 0 };
	int rc = oi_cue_parse(text, len, &s, &err);

	CU_ASSERT_EQUAL(rc, code);
	CU_ASSERT_EQUAL(err.code, code);
	CU_ASSERT_PTR_NULL(s);
	if (strcmp(err.message, msg) != 0)
		fprintf(stderr, "\n  want: %s\n  got:  %s\n", msg, err.message);
	CU_ASSERT_STRING_EQUAL(err.message, msg);
}

static void
expect_error(const char *text, const char *msg)
{
	expect_error_len(text, strlen(text), OPTIMG_EFORMAT, msg);
}

/* Parses text and lays it out on img with the given file sizes. */
static int
layout_text(struct optimg_image *img, const char *text,
    const uint64_t *sizes)
{
	struct oi_cue_sheet *s = parse_ok(text);
	int rc = layout_with(img, s, sizes);

	oi_cue_free(s);
	return rc;
}

static void
check_frag(const struct optimg_image *img, unsigned i, int32_t lba,
    uint32_t count, enum oi_fill fill, unsigned stream, uint64_t offset,
    unsigned size, enum optimg_track_mode mode)
{
	const struct oi_fragment *f;

	CU_ASSERT_FATAL(i < img->nfrags);
	f = &img->frags[i];
	CU_ASSERT_EQUAL(f->lba, lba);
	CU_ASSERT_EQUAL(f->count, count);
	CU_ASSERT_EQUAL(f->fill, fill);
	CU_ASSERT_EQUAL(f->mode, mode);
	if (fill == OI_FILL_FILE) {
		CU_ASSERT_EQUAL(f->stream, stream);
		CU_ASSERT_EQUAL(f->offset, offset);
		CU_ASSERT_EQUAL(f->sector_size, size);
	}
}

static void
check_track(const struct optimg_image *img, unsigned i, int32_t index0,
    int32_t start, uint32_t pregap, uint32_t length)
{
	const struct optimg_track *t;

	CU_ASSERT_FATAL(i < img->disc.ntracks);
	t = &img->disc.tracks[i];
	CU_ASSERT_EQUAL(t->index[0], index0);
	CU_ASSERT_EQUAL(t->start, start);
	CU_ASSERT_EQUAL(t->index[1], start);
	CU_ASSERT_EQUAL(t->pregap, pregap);
	CU_ASSERT_EQUAL(t->length, length);
}

#define NO OPTIMG_NO_INDEX
#define RAW 2352ull

/* ---- parser: constructs -------------------------------------------------- */

static const char sheet_lf[] =
    "REM GENRE Rock\n"
    "CATALOG 0000012101954\n"
    "PERFORMER \"The Band\"\n"
    "TITLE \"Album\"\n"
    "FILE \"disc.bin\" BINARY\n"
    "  TRACK 01 MODE1/2352\n"
    "    INDEX 01 00:00:00\n"
    "  TRACK 02 AUDIO\n"
    "    TITLE \"Song\"\n"
    "    FLAGS DCP\n"
    "    INDEX 00 01:00:00\n"
    "    INDEX 01 01:02:00\n";

static void
check_sheet_lf(const struct oi_cue_sheet *s)
{
	CU_ASSERT_EQUAL_FATAL(s->nfiles, 1);
	CU_ASSERT_STRING_EQUAL(s->files[0].name, "disc.bin");
	CU_ASSERT_EQUAL(s->files[0].type, OI_CUE_BINARY);
	CU_ASSERT_EQUAL(s->files[0].line, 5);
	CU_ASSERT_STRING_EQUAL(s->catalog, "0000012101954");
	CU_ASSERT_STRING_EQUAL(s->cdtext.field[OPTIMG_CDTEXT_TITLE], "Album");
	CU_ASSERT_STRING_EQUAL(s->cdtext.field[OPTIMG_CDTEXT_PERFORMER],
	    "The Band");
	CU_ASSERT_EQUAL_FATAL(s->nnotes, 1);
	CU_ASSERT_STRING_EQUAL(s->notes[0].text, "GENRE Rock");
	CU_ASSERT_EQUAL_FATAL(s->ntracks, 2);
	CU_ASSERT_EQUAL(s->tracks[0].number, 1);
	CU_ASSERT_EQUAL(s->tracks[0].mode, OPTIMG_TRACK_MODE1);
	CU_ASSERT_EQUAL(s->tracks[0].sector_size, 2352);
	CU_ASSERT_EQUAL(s->tracks[0].nindex, 1);
	CU_ASSERT_EQUAL(s->tracks[1].mode, OPTIMG_TRACK_AUDIO);
	CU_ASSERT_EQUAL(s->tracks[1].flags, OPTIMG_FLAG_DCP);
	CU_ASSERT_STRING_EQUAL(s->tracks[1].cdtext.field[OPTIMG_CDTEXT_TITLE],
	    "Song");
	CU_ASSERT_PTR_NULL(s->tracks[1].cdtext.field[OPTIMG_CDTEXT_GENRE]);
	CU_ASSERT_EQUAL_FATAL(s->tracks[1].nindex, 2);
	CU_ASSERT_EQUAL(s->tracks[1].index[0].number, 0);
	CU_ASSERT_EQUAL(s->tracks[1].index[0].frames, 4500);
	CU_ASSERT_EQUAL(s->tracks[1].index[1].number, 1);
	CU_ASSERT_EQUAL(s->tracks[1].index[1].frames, 4650);
	CU_ASSERT_EQUAL(s->tracks[1].index[1].line, 12);
	CU_ASSERT_EQUAL(s->tracks[1].line, 8);
	CU_ASSERT_EQUAL(s->track_session[0], 1);
	CU_ASSERT_EQUAL(s->track_session[1], 1);
}

/* The same sheet with LF, CRLF, CR, a BOM and no final newline. */
static void
test_parse_line_ends(void)
{
	static const char *const ends[] = { "\n", "\r\n", "\r" };
	char buf[1024];

	for (unsigned e = 0; e < 3; e++) {
		for (unsigned bom = 0; bom < 2; bom++) {
			size_t n = 0;
			struct oi_cue_sheet *s;
			if (bom)
				n += (size_t)snprintf(buf, sizeof(buf), "%s",
				    "\xef\xbb\xbf");
			for (const char *p = sheet_lf; *p != '\0'; p++)
				n += (size_t)snprintf(buf + n,
				    sizeof(buf) - n, "%.*s",
				    *p == '\n' ? (int)strlen(ends[e]) : 1,
				    *p == '\n' ? ends[e] : p);
			s = parse_ok(buf);
			check_sheet_lf(s);
			oi_cue_free(s);
			buf[n - strlen(ends[e])] = '\0';	/* no EOL */
			s = parse_ok(buf);
			check_sheet_lf(s);
			oi_cue_free(s);
		}
	}
}

static void
test_parse_quoting(void)
{
	struct oi_cue_sheet *s = parse_ok(
	    "FILE \"a b.bin\" BINARY\n"
	    "  TRACK 01 AUDIO\n    INDEX 01 00:00:00\n"
	    "FILE plain.bin MOTOROLA\n"
	    "  TRACK 02 AUDIO\n    INDEX 01 00:00:00\n"
	    "FILE my file.wav   WAVE  \n"
	    "  TRACK 03 AUDIO\n    INDEX 01 00:00:00\n"
	    "FILE \"x \"y\" z.bin\" mp3\n"
	    "  TRACK 04 AUDIO\n    INDEX 01 00:00:00\n"
	    "FILE \"t.aiff\"AIFF\n"
	    "  TRACK 05 AUDIO\n"
	    "    TITLE \"He said \"hi\"\"\n"
	    "    PERFORMER  Not Quoted  \n"
	    "    SONGWRITER \"  blanks kept  \"\n"
	    "    COMPOSER \"\"\n"
	    "    INDEX 01 00:00:00\n");

	CU_ASSERT_EQUAL_FATAL(s->nfiles, 5);
	CU_ASSERT_STRING_EQUAL(s->files[0].name, "a b.bin");
	CU_ASSERT_EQUAL(s->files[0].type, OI_CUE_BINARY);
	CU_ASSERT_STRING_EQUAL(s->files[1].name, "plain.bin");
	CU_ASSERT_EQUAL(s->files[1].type, OI_CUE_MOTOROLA);
	CU_ASSERT_STRING_EQUAL(s->files[2].name, "my file.wav");
	CU_ASSERT_EQUAL(s->files[2].type, OI_CUE_WAVE);
	CU_ASSERT_STRING_EQUAL(s->files[3].name, "x \"y\" z.bin");
	CU_ASSERT_EQUAL(s->files[3].type, OI_CUE_MP3);
	CU_ASSERT_STRING_EQUAL(s->files[4].name, "t.aiff");
	CU_ASSERT_EQUAL(s->files[4].type, OI_CUE_AIFF);
	CU_ASSERT_STRING_EQUAL(s->tracks[4].cdtext.field[OPTIMG_CDTEXT_TITLE],
	    "He said \"hi\"");
	CU_ASSERT_STRING_EQUAL(
	    s->tracks[4].cdtext.field[OPTIMG_CDTEXT_PERFORMER], "Not Quoted");
	CU_ASSERT_STRING_EQUAL(
	    s->tracks[4].cdtext.field[OPTIMG_CDTEXT_SONGWRITER],
	    "  blanks kept  ");
	CU_ASSERT_STRING_EQUAL(
	    s->tracks[4].cdtext.field[OPTIMG_CDTEXT_COMPOSER], "");
	oi_cue_free(s);
}

/*
 * What music sheets write: hyphenated ISRCs, times past 99:59:74, FLAGS
 * DATA on an audio track (dropped: a burner would mark it data).
 */
static void
test_parse_music_quirks(void)
{
	struct oi_cue_sheet *s = parse_ok(
	    "FILE \"a.wav\" WAVE\n"
	    "  TRACK 01 AUDIO\n"
	    "    FLAGS DATA PRE\n"
	    "    ISRC AB-CD7-65-43210\n"
	    "    INDEX 01 00:00:00\n"
	    "  TRACK 02 AUDIO\n"
	    "    INDEX 01 101:28:00\n");

	CU_ASSERT_STRING_EQUAL(s->tracks[0].isrc, "ABCD76543210");
	CU_ASSERT_EQUAL(s->tracks[0].flags, OPTIMG_FLAG_PRE);
	CU_ASSERT_EQUAL(s->tracks[1].index[0].frames, (101 * 60 + 28) * 75);
	CU_ASSERT_EQUAL_FATAL(s->nwarnings, 2);
	CU_ASSERT_STRING_EQUAL(s->warnings[0].text,
	    "line 3: FLAGS DATA on AUDIO track 01 dropped");
	CU_ASSERT_STRING_EQUAL(s->warnings[1].text,
	    "line 7: time 101:28:00 is past 99:59:74, the most a CD's time "
	    "code holds; read as written");
	oi_cue_free(s);
}

static void
test_parse_case(void)
{
	struct oi_cue_sheet *s = parse_ok(
	    "catalog 1234567890123\n"
	    "File \"x.bin\" binary\n"
	    "  track 1 mode1/2048\n"
	    "    flags dcp Pre\n"
	    "    isrc gbabc7600001\n"
	    "    index 1 0:0:0\n"
	    "  Track 2 cdi/2352\n"
	    "    Index 0 1:2:3\n"
	    "    iNdEx 01 01:04:03\n");

	CU_ASSERT_STRING_EQUAL(s->catalog, "1234567890123");
	CU_ASSERT_EQUAL(s->tracks[0].mode, OPTIMG_TRACK_MODE1);
	CU_ASSERT_EQUAL(s->tracks[0].sector_size, 2048);
	CU_ASSERT_EQUAL(s->tracks[0].flags, OPTIMG_FLAG_DCP | OPTIMG_FLAG_PRE);
	CU_ASSERT_STRING_EQUAL(s->tracks[0].isrc, "gbabc7600001");
	CU_ASSERT_EQUAL(s->tracks[1].mode, OPTIMG_TRACK_CDI);
	CU_ASSERT_EQUAL(s->tracks[1].index[0].frames, (60 + 2) * 75 + 3);
	CU_ASSERT_EQUAL(s->tracks[1].index[1].frames, (60 + 4) * 75 + 3);
	oi_cue_free(s);
}

static void
test_parse_modes(void)
{
	static const struct {
		const char		*name;
		enum optimg_track_mode	 mode;
		unsigned		 size;
		bool			 sub;
	} modes[] = {
		{ "AUDIO", OPTIMG_TRACK_AUDIO, 2352, false },
		{ "CDG", OPTIMG_TRACK_AUDIO, 2448, true },
		{ "MODE1/2048", OPTIMG_TRACK_MODE1, 2048, false },
		{ "MODE1/2352", OPTIMG_TRACK_MODE1, 2352, false },
		{ "MODE2/2336", OPTIMG_TRACK_MODE2, 2336, false },
		{ "MODE2/2352", OPTIMG_TRACK_MODE2, 2352, false },
		{ "CDI/2336", OPTIMG_TRACK_CDI, 2336, false },
		{ "CDI/2352", OPTIMG_TRACK_CDI, 2352, false },
	};
	char buf[256];

	for (unsigned i = 0; i < OI_ARRAY_SIZE(modes); i++) {
		struct oi_cue_sheet *s;
		snprintf(buf, sizeof(buf), "FILE a BINARY\nTRACK 07 %s\n"
		    "INDEX 01 00:00:00\n", modes[i].name);
		s = parse_ok(buf);
		CU_ASSERT_EQUAL(s->tracks[0].number, 7);
		CU_ASSERT_EQUAL(s->tracks[0].mode, modes[i].mode);
		CU_ASSERT_EQUAL(s->tracks[0].sector_size, modes[i].size);
		CU_ASSERT_EQUAL(s->tracks[0].subchannel, modes[i].sub);
		oi_cue_free(s);
	}
}

static void
test_parse_indices_gaps_flags(void)
{
	struct oi_cue_sheet *s = parse_ok(
	    "FILE a.bin BINARY\n"
	    "TRACK 01 AUDIO\n"
	    "FLAGS DCP 4CH PRE SCMS\n"
	    "ISRC USRC17607839\n"
	    "PREGAP 00:02:00\n"
	    "INDEX 00 00:00:00\n"
	    "INDEX 01 00:00:01\n"
	    "INDEX 02 00:01:00\n"
	    "INDEX 99 99:59:74\n"
	    "POSTGAP 00:00:74\n"
	    "TRACK 99 MODE1/2352\n"
	    "FLAGS DATA\n"
	    "FLAGS\n"
	    "FILE b.bin BINARY\n"
	    "INDEX 01 00:00:00\n");
	const struct oi_cue_track *t = &s->tracks[0];

	CU_ASSERT_EQUAL(t->flags, OPTIMG_FLAG_DCP | OPTIMG_FLAG_4CH |
	    OPTIMG_FLAG_PRE | OPTIMG_FLAG_SCMS);
	CU_ASSERT_STRING_EQUAL(t->isrc, "USRC17607839");
	CU_ASSERT_EQUAL(t->pregap, 150);
	CU_ASSERT_EQUAL(t->postgap, 74);
	CU_ASSERT_EQUAL_FATAL(t->nindex, 4);
	CU_ASSERT_EQUAL(t->index[3].number, 99);
	CU_ASSERT_EQUAL(t->index[3].frames, 449999);
	CU_ASSERT_EQUAL(t->index_file[3], 0);
	t = &s->tracks[1];
	CU_ASSERT_EQUAL(t->number, 99);
	CU_ASSERT_EQUAL(t->flags, OPTIMG_FLAG_DATA);
	CU_ASSERT_EQUAL(t->file, 0);		/* TRACK was under a.bin */
	CU_ASSERT_EQUAL(t->index_file[0], 1);	/* INDEX 01 under b.bin */
	CU_ASSERT_STRING_EQUAL(t->isrc, "");
	oi_cue_free(s);
}

static void
test_parse_cdtext(void)
{
	static const char *const kw[OPTIMG_CDTEXT_NFIELDS] = {
		"TITLE", "PERFORMER", "SONGWRITER", "COMPOSER", "ARRANGER",
		"MESSAGE", "DISC_ID", "GENRE", "UPC_EAN",
	};
	char buf[2048];
	size_t n = 0;
	struct oi_cue_sheet *s;

	for (unsigned i = 0; i < OPTIMG_CDTEXT_NFIELDS; i++)
		n += (size_t)snprintf(buf + n, sizeof(buf) - n,
		    "%s \"disc %u\"\n", kw[i], i);
	n += (size_t)snprintf(buf + n, sizeof(buf) - n,
	    "CDTEXTFILE \"disc.cdt\"\nFILE a BINARY\nTRACK 01 AUDIO\n");
	for (unsigned i = 0; i < OPTIMG_CDTEXT_NFIELDS; i++)
		n += (size_t)snprintf(buf + n, sizeof(buf) - n,
		    "%s track%u\n", kw[i], i);
	snprintf(buf + n, sizeof(buf) - n, "TITLE \"last wins\"\n"
	    "INDEX 01 00:00:00\n");
	s = parse_ok(buf);
	CU_ASSERT_STRING_EQUAL(s->cdtextfile, "disc.cdt");
	for (unsigned i = 0; i < OPTIMG_CDTEXT_NFIELDS; i++) {
		char want[32];
		snprintf(want, sizeof(want), "disc %u", i);
		CU_ASSERT_STRING_EQUAL(s->cdtext.field[i], want);
		snprintf(want, sizeof(want), "track%u", i);
		if (i != OPTIMG_CDTEXT_TITLE)
			CU_ASSERT_STRING_EQUAL(s->tracks[0].cdtext.field[i],
			    want);
	}
	CU_ASSERT_STRING_EQUAL(s->tracks[0].cdtext.field[OPTIMG_CDTEXT_TITLE],
	    "last wins");
	oi_cue_free(s);
}

static void
test_parse_rem(void)
{
	struct oi_cue_sheet *s = parse_ok(
	    "REM COMMENT \"ExactAudioCopy v1.0\"\n"
	    "REM\n"
	    "REM SESSION 01\n"
	    "FILE \"a.bin\" BINARY\n"
	    "REM before the first track\n"
	    "  TRACK 01 AUDIO\n"
	    "    REM   REPLAYGAIN_TRACK_GAIN -7.50 dB   \n"
	    "    INDEX 01 00:00:00\n"
	    "REM LEAD-OUT 00:10:00\n"
	    "REM session 03\n"
	    "FILE \"b.bin\" BINARY\n"
	    "  TRACK 02 MODE1/2352\n"
	    "    INDEX 01 00:00:00\n"
	    "  TRACK 03 MODE1/2352\n"
	    "    INDEX 01 00:01:00\n");

	CU_ASSERT_EQUAL_FATAL(s->nnotes, 4);
	CU_ASSERT_STRING_EQUAL(s->notes[0].text,
	    "COMMENT \"ExactAudioCopy v1.0\"");
	CU_ASSERT_STRING_EQUAL(s->notes[1].text, "");
	CU_ASSERT_STRING_EQUAL(s->notes[2].text, "SESSION 01");
	CU_ASSERT_STRING_EQUAL(s->notes[3].text, "before the first track");
	/* REM LEAD-OUT before a session is the model's, not a note. */
	CU_ASSERT_EQUAL_FATAL(s->tracks[0].nnotes, 2);
	CU_ASSERT_STRING_EQUAL(s->tracks[0].notes[0].text,
	    "REPLAYGAIN_TRACK_GAIN -7.50 dB");
	CU_ASSERT_STRING_EQUAL(s->tracks[0].notes[1].text, "session 03");
	CU_ASSERT_EQUAL(s->track_session[0], 1);
	CU_ASSERT_EQUAL(s->track_session[1], 3);
	CU_ASSERT_EQUAL(s->track_session[2], 3);
	CU_ASSERT_TRUE(s->tracks[1].session_start);
	CU_ASSERT_EQUAL(s->tracks[1].leadout, 750);
	CU_ASSERT_EQUAL(s->tracks[1].leadin, 4500);
	CU_ASSERT_FALSE(s->tracks[1].pregap_given);
	CU_ASSERT_FALSE(s->tracks[2].session_start);
	oi_cue_free(s);
}

/* 10^5 REM lines and a REM line of 1 MiB. */
static void
test_parse_big(void)
{
	size_t n = 100000, len = n * 4 + 100;
	char *buf = malloc(len + (1u << 20) + 64), *p;
	struct oi_cue_sheet *s;

	CU_ASSERT_PTR_NOT_NULL_FATAL(buf);
	p = buf;
	for (size_t i = 0; i < n; i++)
		p += sprintf(p, "REM\n");
	p += sprintf(p, "REM ");
	memset(p, 'x', 1u << 20);
	p += 1u << 20;
	sprintf(p, "\nFILE a BINARY\nTRACK 1 AUDIO\nINDEX 1 0:0:0");
	s = parse_ok(buf);
	CU_ASSERT_EQUAL(s->nnotes, n + 1);
	CU_ASSERT_EQUAL(strlen(s->notes[n].text), 1u << 20);
	oi_cue_free(s);
	free(buf);
}

/* 2^18 CR-only lines: line ends are found in linear time. */
static void
test_parse_many_cr_lines(void)
{
	size_t n = 1u << 18;
	char *buf = malloc(n * 4 + 64), *p = buf;
	struct oi_cue_sheet *s;

	CU_ASSERT_PTR_NOT_NULL_FATAL(buf);
	p += sprintf(p, "FILE a BINARY\rTRACK 1 AUDIO\rINDEX 1 0:0:0\r");
	for (size_t i = 0; i < n; i++)
		p += sprintf(p, "REM\r");
	s = parse_ok(buf);
	CU_ASSERT_EQUAL(s->tracks[0].nnotes, n);
	oi_cue_free(s);
	free(buf);
}

/* ---- parser: errors ------------------------------------------------------ */

#define F1 "FILE \"a.bin\" BINARY\n"
#define T1 "  TRACK 01 AUDIO\n"
#define I1 "    INDEX 01 00:00:00\n"

static void
test_parse_errors(void)
{
	static const struct {
		const char	*text;
		const char	*msg;
	} cases[] = {
		{ "CATALOG\n", "line 1: CATALOG needs 13 digits, got nothing" },
		{ "REM\n\nCATALOG \"167890123\"\n",
		  "line 3: CATALOG needs 13 digits, got \"167890123\"" },
		{ "CATALOG 123456789b123\n",
		  "line 1: CATALOG needs 13 digits, got \"123456789b123\"" },
		{ "CATALOG 1234567890123\nCATALOG 1234567890123\n",
		  "line 2: CATALOG given twice" },
		{ F1 T1 I1 "CATALOG 1234567890123\n",
		  "line 4: CATALOG must come before the first TRACK" },
		{ F1 T1 I1 "CDTEXTFILE \"x\"\n",
		  "line 4: CDTEXTFILE must come before the first TRACK" },
		{ "CDTEXTFILE\n", "line 1: CDTEXTFILE needs a file name" },
		{ F1 "  TRACK 01 MODE3_FORM1\n",
		  "line 2: unknown track mode 'MODE3_FORM1'" },
		{ F1 T1 "    INDEX 01 00:00:100\n",
		  "line 3: frame 100 is out of range (0-74)" },
		{ F1 T1 "    INDEX 01 00:90:00\n",
		  "line 3: second 90 is out of range (0-59)" },
		{ F1 T1 "    INDEX 01 10000:00:00\n",
		  "line 3: minute 10000 is out of range (0-9999)" },
		{ F1 T1 "    INDEX 01 00:00:99999999999999999999999\n",
		  "line 3: frame 99999999999999999999999 is out of range "
		  "(0-74)" },
		{ F1 T1 "    INDEX 01 xx:yy:0\n",
		  "line 3: bad time 'xx:yy:0', expected mm:ss:ff" },
		{ F1 T1 "    INDEX 01 00:00\n",
		  "line 3: bad time '00:00', expected mm:ss:ff" },
		{ F1 T1 "    INDEX 01 00:00:00:00\n",
		  "line 3: bad time '00:00:00:00', expected mm:ss:ff" },
		{ F1 T1 "    INDEX 01 -1:00:00\n",
		  "line 3: bad time '-1:00:00', expected mm:ss:ff" },
		{ F1 T1 "    INDEX 100 00:00:00\n",
		  "line 3: index number 100 is out of range (0-99)" },
		{ F1 T1 "    INDEX one 00:00:00\n",
		  "line 3: bad index number 'one'" },
		{ F1 T1 "    INDEX 01\n",
		  "line 3: INDEX needs a number and a time mm:ss:ff" },
		{ F1 T1 "    INDEX 01 00:00:00 junk\n",
		  "line 3: unexpected 'junk' after INDEX" },
		{ F1 "  TRACK 00 AUDIO\n",
		  "line 2: track number 00 is out of range (1-99)" },
		{ F1 "  TRACK 100 AUDIO\n",
		  "line 2: track number 100 is out of range (1-99)" },
		{ F1 "  TRACK x1 AUDIO\n", "line 2: bad track number 'x1'" },
		{ F1 "  TRACK 01\n",
		  "line 2: TRACK needs a number and a mode" },
		{ F1 "  TRACK 01 AUDIO \"x\n",
		  "line 2: a quote does not close" },
		{ F1 T1 I1 T1, "line 4: TRACK 01 after TRACK 01; track numbers "
		  "must increase" },
		{ F1 "  TRACK 05 AUDIO\n" I1 "  TRACK 04 AUDIO\n",
		  "line 4: TRACK 04 after TRACK 05; track numbers must "
		  "increase" },
		{ T1, "line 1: TRACK before any FILE" },
		{ F1 I1, "line 2: INDEX before any TRACK" },
		{ F1 "FLAGS DCP\n", "line 2: FLAGS before any TRACK" },
		{ F1 "ISRC USRC17607839\n", "line 2: ISRC before any TRACK" },
		{ F1 "PREGAP 00:02:00\n", "line 2: PREGAP before any TRACK" },
		{ F1 "POSTGAP 00:02:00\n", "line 2: POSTGAP before any TRACK" },
		{ F1 T1 "  TRACK 02 AUDIO\n" I1,
		  "line 2: TRACK 01 has no INDEX 01" },
		{ F1 T1 "    INDEX 00 00:00:00\n",
		  "line 2: TRACK 01 has no INDEX 01" },
		{ F1 T1 "    INDEX 02 00:00:00\n",
		  "line 3: INDEX 02 before INDEX 01" },
		{ F1 T1 "    INDEX 00 00:00:00\n    INDEX 02 00:00:01\n",
		  "line 4: INDEX 02 before INDEX 01" },
		{ F1 T1 I1 "    INDEX 00 00:00:01\n",
		  "line 4: INDEX 00 after INDEX 01; index numbers must "
		  "increase" },
		{ F1 T1 I1 "    INDEX 01 00:00:01\n",
		  "line 4: INDEX 01 given twice" },
		{ F1 T1 "    INDEX 01 00:02:00\n    INDEX 02 00:01:00\n",
		  "line 4: INDEX 02 at 00:01:00 is not after the previous "
		  "INDEX of this FILE at 00:02:00" },
		{ F1 T1 "    INDEX 01 00:02:00\n  TRACK 02 AUDIO\n"
		  "    INDEX 01 00:02:00\n",
		  "line 5: INDEX 01 at 00:02:00 is not after the previous "
		  "INDEX of this FILE at 00:02:00" },
		{ F1 T1 I1 "    PREGAP 00:02:00\n",
		  "line 4: PREGAP must come before the track's first INDEX" },
		{ F1 T1 "    PREGAP 00:02:00\n    PREGAP 00:02:00\n",
		  "line 4: PREGAP given twice" },
		{ F1 T1 "    POSTGAP 00:02:00\n",
		  "line 3: POSTGAP must come after the track's INDEX 01" },
		{ F1 T1 I1 "    POSTGAP 00:02:00\n    INDEX 02 00:01:00\n",
		  "line 5: INDEX after POSTGAP" },
		{ F1 T1 "    PREGAP\n",
		  "line 3: PREGAP needs a time mm:ss:ff" },
		{ F1 T1 "    FLAGS DCP FOO\n", "line 3: unknown flag 'FOO'" },
		{ F1 T1 "    ISRC ABC\n", "line 3: ISRC needs 12 characters, 5 "
		  "letters or digits then 7 digits, got \"ABC\"" },
		{ F1 T1 "    ISRC US-RC1760783\n", "line 3: ISRC needs 12 "
		  "characters, 5 letters or digits then 7 digits, got "
		  "\"US-RC1760783\"" },
		{ F1 T1 "    ISRC USRC1760783X\n", "line 3: ISRC needs 12 "
		  "characters, 5 letters or digits then 7 digits, got "
		  "\"USRC1760783X\"" },
		{ "TITLE \"unclosed\n",
		  "line 1: TITLE value has no closing quote" },
		{ "FOO bar\n", "line 1: unknown keyword 'FOO'" },
		{ "  \t\n\nINDEXX 01 00:00:00\n",
		  "line 3: unknown keyword 'INDEXX'" },
		{ "FILE \"a.bin\" ISO\n", "line 1: unknown file type 'ISO'" },
		{ "FILE \"a.bin\" BINARY junk here\n",
		  "line 1: unexpected 'junk here' after the FILE type BINARY" },
		{ F1 T1 "    ISRC AB-CD7-65-4321\n", "line 3: ISRC needs 12 "
		  "characters, 5 letters or digits then 7 digits, got "
		  "\"AB-CD7-65-4321\"" },
		{ "FILE \"a.bin\"\n", "line 1: FILE needs a name and a type" },
		{ "FILE a.bin\n", "line 1: FILE needs a name and a type" },
		{ "FILE \"\" BINARY\n",
		  "line 1: FILE needs a name and a type" },
		{ "FILE \"a.bin BINARY\n",
		  "line 1: FILE name has no closing quote" },
		{ "FILE a.bin BINARY\nFILE b.bin BINARY\n" T1 I1,
		  "line 1: FILE 'a.bin' has no INDEX" },
		{ F1 T1 I1 "FILE b.bin BINARY\n",
		  "line 4: FILE 'b.bin' has no INDEX" },
		{ "", "line 1: the sheet has no TRACK" },
		{ "REM only\n", "line 1: the sheet has no TRACK" },
		{ "REM SESSION x\n", "line 1: bad session number 'x'" },
		{ "REM SESSION\n", "line 1: REM SESSION needs one session "
		  "number" },
		{ "REM SESSION 02\nREM SESSION 01\n",
		  "line 2: REM SESSION 01 after session 02" },
		{ "REM SESSION 0\n",
		  "line 1: session number 0 is out of range (1-99)" },
		{ "\x01\x02 x\n", "line 1: unknown keyword '?" "?'" },
		{ "\xef\xbb\xbf\xef\xbb\xbf\n",
		  "line 1: unknown keyword '\xef\xbb\xbf'" },
		{ F1 T1 "    FLAGS A B C D E F G H I\n",
		  "line 3: FLAGS takes at most 8 flags" },
	};

	for (unsigned i = 0; i < OI_ARRAY_SIZE(cases); i++)
		expect_error(cases[i].text, cases[i].msg);
}

static void
test_parse_errors_binary(void)
{
	static const char nul[] = F1 T1 "    INDEX 01 00:00:00\0\n";
	char *big;

	expect_error_len(nul, sizeof(nul) - 1, OPTIMG_EFORMAT,
	    "line 3: NUL byte: this is not a text file");
	expect_error_len("\xff\xfeR\0E\0M\0", 8, OPTIMG_EUNSUPP,
	    "line 1: UTF-16 text is not supported; save it as UTF-8");
	/* A long keyword is cut in the message. */
	big = malloc(1u << 20);
	CU_ASSERT_PTR_NOT_NULL_FATAL(big);
	memset(big, 'A', 1u << 20);
	expect_error_len(big, 1u << 20, OPTIMG_EFORMAT,
	    "line 1: unknown keyword "
	    "'AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA...'");
	free(big);
}

/* ---- libcdio's sheets, read in place ----------------------------------- */

static char *
testdata(const char *name)
{
	return (char *)test_data_path(name);
}

static void
test_libcdio_sheets(void)
{
	static const struct {
		const char	*name;
		const char	*msg;	/* NULL: must parse */
	} sheets[] = {
		{ "bad-cat1.cue",
		  "line 4: CATALOG needs 13 digits, got nothing" },
		{ "bad-cat2.cue",
		  "line 4: CATALOG needs 13 digits, got \"167890123\"" },
		{ "bad-cat3.cue",
		  "line 4: CATALOG needs 13 digits, got \"123456789b123\"" },
		{ "bad-mode1.cue", "line 6: unknown track mode 'MODE3_FORM1'" },
		{ "bad-msf-1.cue", "line 7: frame 100 is out of range (0-74)" },
		{ "bad-msf-2.cue", "line 7: second 90 is out of range (0-59)" },
		{ "bad-msf-3.cue",
		  "line 7: bad time 'xx:yy:0', expected mm:ss:ff" },
		{ "cdda.cue", NULL },
		{ "cdda_4_5.cue", NULL },
		{ "isofs-m1.cue", NULL },
		{ "p1.cue", NULL },
	};

	for (unsigned i = 0; i < OI_ARRAY_SIZE(sheets); i++) {
		struct optimg_error err = { 0 };
		struct oi_cue_sheet *s = NULL;
		char *path = testdata(sheets[i].name), *text;
		size_t len;

		if (path == NULL)
			return;
		CU_ASSERT_EQUAL_FATAL(oi_read_small_file(path, 1u << 20,
		    &text, &len, &err), 0);
		if (sheets[i].msg == NULL) {
			CU_ASSERT_EQUAL(oi_cue_parse(text, len, &s, &err), 0);
			CU_ASSERT_PTR_NOT_NULL(s);
		} else
			expect_error_len(text, len, OPTIMG_EFORMAT,
			    sheets[i].msg);
		oi_cue_free(s);
		free(text);
	}
}

/* ---- layout ------------------------------------------------------------ */

static void
test_layout_single_bin(void)
{
	struct optimg_image img = { 0 };
	uint64_t size[] = { 2000 * RAW };

	CU_ASSERT_EQUAL_FATAL(layout_text(&img, "CATALOG 0000012101954\n"
	    F1 "TRACK 01 MODE1/2352\nINDEX 01 00:00:00\n"
	    "TRACK 02 AUDIO\nINDEX 00 00:10:00\nINDEX 01 00:12:00\n"
	    "TRACK 03 AUDIO\nINDEX 01 00:20:00\n", size), 0);
	CU_ASSERT_EQUAL(img.disc.ntracks, 3);
	check_track(&img, 0, NO, 0, 0, 750);
	check_track(&img, 1, 750, 900, 150, 600);
	check_track(&img, 2, NO, 1500, 0, 500);
	CU_ASSERT_EQUAL(img.disc.tracks[0].flags, OPTIMG_FLAG_DATA);
	CU_ASSERT_EQUAL(img.disc.tracks[1].flags, 0);
	CU_ASSERT_EQUAL(img.disc.tracks[0].session, 1);
	CU_ASSERT_STRING_EQUAL(img.disc.catalog, "0000012101954");
	CU_ASSERT_EQUAL(img.disc.nsessions, 1);
	CU_ASSERT_EQUAL(img.disc.sessions[0].leadout, 2000);
	CU_ASSERT_EQUAL(img.nfrags, 2);
	check_frag(&img, 0, 0, 750, OI_FILL_FILE, 0, 0, 2352,
	    OPTIMG_TRACK_MODE1);
	check_frag(&img, 1, 750, 1250, OI_FILL_FILE, 0, 750 * RAW, 2352,
	    OPTIMG_TRACK_AUDIO);
	fake_release(&img);
}

static void
test_layout_redump_split(void)
{
	struct optimg_image img = { 0 };
	uint64_t size[] = { 1000 * RAW, 500 * RAW, 400 * RAW };

	CU_ASSERT_EQUAL_FATAL(layout_text(&img,
	    "FILE \"Game (Track 1).bin\" BINARY\n"
	    "  TRACK 01 MODE2/2352\n    INDEX 01 00:00:00\n"
	    "FILE \"Game (Track 2).bin\" BINARY\n"
	    "  TRACK 02 AUDIO\n    INDEX 00 00:00:00\n    INDEX 01 00:02:00\n"
	    "FILE \"Game (Track 3).bin\" BINARY\n"
	    "  TRACK 03 AUDIO\n    INDEX 00 00:00:00\n    INDEX 01 00:02:00\n",
	    size), 0);
	check_track(&img, 0, NO, 0, 0, 1000);
	check_track(&img, 1, 1000, 1150, 150, 350);
	check_track(&img, 2, 1500, 1650, 150, 250);
	CU_ASSERT_EQUAL(img.disc.tracks[0].mode, OPTIMG_TRACK_MODE2);
	CU_ASSERT_EQUAL(img.nfrags, 3);
	check_frag(&img, 0, 0, 1000, OI_FILL_FILE, 0, 0, 2352,
	    OPTIMG_TRACK_MODE2);
	check_frag(&img, 1, 1000, 500, OI_FILL_FILE, 1, 0, 2352,
	    OPTIMG_TRACK_AUDIO);
	check_frag(&img, 2, 1500, 400, OI_FILL_FILE, 2, 0, 2352,
	    OPTIMG_TRACK_AUDIO);
	fake_release(&img);
}

/* Track N+1's INDEX 00 in track N's file, INDEX 01 at 0 of the next. */
static void
test_layout_eac_noncompliant(void)
{
	struct optimg_image img = { 0 };
	uint64_t size[] = { 1000 * RAW, 600 * RAW, 300 * RAW };

	CU_ASSERT_EQUAL_FATAL(layout_text(&img,
	    "FILE \"01.wav\" BINARY\n"
	    "  TRACK 01 AUDIO\n    INDEX 01 00:00:00\n"
	    "  TRACK 02 AUDIO\n    INDEX 00 00:10:00\n"
	    "FILE \"02.wav\" BINARY\n    INDEX 01 00:00:00\n"
	    "  TRACK 03 AUDIO\n    INDEX 00 00:05:00\n"
	    "FILE \"03.wav\" BINARY\n    INDEX 01 00:00:00\n", size), 0);
	check_track(&img, 0, NO, 0, 0, 750);
	check_track(&img, 1, 750, 1000, 250, 375);
	check_track(&img, 2, 1375, 1600, 225, 300);
	CU_ASSERT_EQUAL(img.nfrags, 3);
	check_frag(&img, 0, 0, 1000, OI_FILL_FILE, 0, 0, 2352,
	    OPTIMG_TRACK_AUDIO);
	check_frag(&img, 1, 1000, 600, OI_FILL_FILE, 1, 0, 2352,
	    OPTIMG_TRACK_AUDIO);
	check_frag(&img, 2, 1600, 300, OI_FILL_FILE, 2, 0, 2352,
	    OPTIMG_TRACK_AUDIO);
	fake_release(&img);
}

static void
test_layout_pregap_postgap(void)
{
	struct optimg_image img = { 0 };
	uint64_t size[] = { 2000 * RAW };
	const struct optimg_track *t;

	CU_ASSERT_EQUAL_FATAL(layout_text(&img, F1
	    "TRACK 01 MODE1/2352\nINDEX 01 00:00:00\nPOSTGAP 00:02:00\n"
	    "TRACK 02 AUDIO\nPREGAP 00:02:00\nINDEX 01 00:10:00\n"
	    "TRACK 03 AUDIO\nINDEX 01 00:20:00\n", size), 0);
	check_track(&img, 0, NO, 0, 0, 900);
	check_track(&img, 1, NO, 1050, 150, 750);
	check_track(&img, 2, NO, 1800, 0, 500);
	t = img.disc.tracks;
	CU_ASSERT_EQUAL(t[0].postgap_unstored, 150);
	CU_ASSERT_EQUAL(t[0].pregap_unstored, 0);
	CU_ASSERT_EQUAL(t[1].pregap_unstored, 150);
	CU_ASSERT_EQUAL(t[1].postgap_unstored, 0);
	CU_ASSERT_EQUAL(img.nfrags, 4);
	check_frag(&img, 0, 0, 750, OI_FILL_FILE, 0, 0, 2352,
	    OPTIMG_TRACK_MODE1);
	check_frag(&img, 1, 750, 150, OI_FILL_ZERO, 0, 0, 0,
	    OPTIMG_TRACK_MODE1);
	check_frag(&img, 2, 900, 150, OI_FILL_ZERO, 0, 0, 0,
	    OPTIMG_TRACK_AUDIO);
	check_frag(&img, 3, 1050, 1250, OI_FILL_FILE, 0, 750 * RAW, 2352,
	    OPTIMG_TRACK_AUDIO);
	fake_release(&img);
}

/* PREGAP with a stored INDEX 00 too; POSTGAP on the last track. */
static void
test_layout_gaps_and_index0(void)
{
	struct optimg_image img = { 0 };
	uint64_t size[] = { 500 * RAW, 300 * RAW };

	CU_ASSERT_EQUAL_FATAL(layout_text(&img,
	    "FILE a BINARY\nTRACK 01 AUDIO\nPREGAP 00:01:00\n"
	    "INDEX 01 00:00:00\nINDEX 02 00:01:00\n"
	    "FILE b BINARY\nTRACK 02 AUDIO\nPREGAP 00:00:10\n"
	    "INDEX 00 00:00:00\nINDEX 01 00:00:20\nPOSTGAP 00:00:30\n",
	    size), 0);
	check_track(&img, 0, NO, 75, 75, 500);
	check_track(&img, 1, 585, 605, 30, 310);
	CU_ASSERT_EQUAL(img.disc.tracks[0].index[2], 150);
	CU_ASSERT_EQUAL(img.disc.tracks[1].postgap_unstored, 30);
	CU_ASSERT_EQUAL(optimg_track_first_lba(&img.disc.tracks[0]), 0);
	CU_ASSERT_EQUAL(img.nfrags, 5);
	check_frag(&img, 0, 0, 75, OI_FILL_ZERO, 0, 0, 0, OPTIMG_TRACK_AUDIO);
	check_frag(&img, 1, 75, 500, OI_FILL_FILE, 0, 0, 2352,
	    OPTIMG_TRACK_AUDIO);
	check_frag(&img, 2, 575, 10, OI_FILL_ZERO, 0, 0, 0,
	    OPTIMG_TRACK_AUDIO);
	check_frag(&img, 3, 585, 300, OI_FILL_FILE, 1, 0, 2352,
	    OPTIMG_TRACK_AUDIO);
	check_frag(&img, 4, 885, 30, OI_FILL_ZERO, 0, 0, 0,
	    OPTIMG_TRACK_AUDIO);
	CU_ASSERT_EQUAL(oi_image_end_lba(&img), 915);
	fake_release(&img);
}

/* MODE1/2048 then AUDIO in one file: offsets sum each run's size. */
static void
test_layout_mixed_sizes(void)
{
	struct optimg_image img = { 0 };
	uint64_t size[] = { 300 * 2048 + 500 * RAW };

	CU_ASSERT_EQUAL_FATAL(layout_text(&img, F1
	    "TRACK 01 MODE1/2048\nINDEX 01 00:00:00\n"
	    "TRACK 02 AUDIO\nINDEX 00 00:04:00\nINDEX 01 00:06:00\n",
	    size), 0);
	check_track(&img, 0, NO, 0, 0, 300);
	check_track(&img, 1, 300, 450, 150, 350);
	CU_ASSERT_EQUAL(img.disc.tracks[0].sector_size, 2048);
	check_frag(&img, 0, 0, 300, OI_FILL_FILE, 0, 0, 2048,
	    OPTIMG_TRACK_MODE1);
	check_frag(&img, 1, 300, 500, OI_FILL_FILE, 0, 300 * 2048, 2352,
	    OPTIMG_TRACK_AUDIO);
	fake_release(&img);
}

static void
test_layout_file_kinds(void)
{
	struct optimg_image img = { 0 };
	uint64_t size[] = { 10 * 2448, 10 * RAW };
	unsigned streams[] = { 7, 3 };
	uint64_t start[] = { 0, 44 };
	struct oi_cue_sheet *s = parse_ok("REM SESSION 01\n"
	    "FILE k.bin BINARY\nTRACK 01 CDG\nINDEX 01 00:00:00\n"
	    "REM SESSION 02\n"
	    "FILE m.raw MOTOROLA\nTRACK 02 AUDIO\nINDEX 01 00:00:00\n");

	CU_ASSERT_EQUAL_FATAL(fake_streams(&img, 8), 0);
	CU_ASSERT_EQUAL_FATAL(oi_cue_layout(s, &img, streams, start, size),
	    0);
	CU_ASSERT_TRUE(img.disc.tracks[0].subchannel);
	CU_ASSERT_EQUAL(img.disc.tracks[0].sector_size, 2448);
	CU_ASSERT_EQUAL(img.disc.tracks[1].session, 2);
	CU_ASSERT_EQUAL(img.disc.nsessions, 2);
	/* Between the sessions: the Orange Book's lead-out, lead-in and
	   pregap, none of them in a file. */
	check_frag(&img, 0, 0, 10, OI_FILL_FILE, 7, 0, 2448,
	    OPTIMG_TRACK_AUDIO);
	CU_ASSERT_EQUAL(img.frags[1].lba, 10);
	CU_ASSERT_EQUAL(img.frags[1].count, 6750);
	CU_ASSERT_EQUAL(img.frags[1].fill, OI_FILL_LEADOUT);
	CU_ASSERT_EQUAL(img.frags[2].count, 4500);
	CU_ASSERT_EQUAL(img.frags[2].fill, OI_FILL_LEADIN);
	CU_ASSERT_EQUAL(img.frags[3].count, 150);
	CU_ASSERT_EQUAL(img.frags[3].fill, OI_FILL_ZERO);
	check_frag(&img, 4, 11410, 10, OI_FILL_FILE, 3, 44, 2352,
	    OPTIMG_TRACK_AUDIO);
	CU_ASSERT_FALSE(img.frags[0].swap16);
	CU_ASSERT_TRUE(img.frags[4].swap16);
	CU_ASSERT_EQUAL(img.disc.tracks[0].length, 10);
	CU_ASSERT_EQUAL(img.disc.tracks[1].start, 11410);
	CU_ASSERT_EQUAL(img.disc.tracks[1].pregap, 150);
	CU_ASSERT_EQUAL(img.disc.sessions[0].leadout, 10);
	CU_ASSERT_EQUAL(img.disc.sessions[0].leadout_length, 6750);
	CU_ASSERT_EQUAL(img.disc.sessions[1].leadin_length, 4500);
	oi_cue_free(s);
	fake_release(&img);
}

static void
expect_layout_error(const char *text, const uint64_t *size, int code,
    const char *msg)
{
	struct optimg_image img = { 0 };
	int rc = layout_text(&img, text, size);

	CU_ASSERT_EQUAL(rc, code);
	if (strcmp(img.err.message, msg) != 0)
		fprintf(stderr, "\n  want: %s\n  got:  %s\n", msg,
		    img.err.message);
	CU_ASSERT_STRING_EQUAL(img.err.message, msg);
	fake_release(&img);
}

static void
test_layout_errors(void)
{
	uint64_t odd[] = { 2 * RAW + 1 };
	uint64_t mixed[] = { 300 * 2048 + 500 * RAW + 100 };
	uint64_t short_file[] = { 100 * RAW };
	uint64_t empty[] = { 0 };

	expect_layout_error(F1 T1 I1, odd, OPTIMG_EFORMAT,
	    "line 1: 'a.bin' holds 4705 bytes, not a whole number of "
	    "2352-byte sectors");
	expect_layout_error(F1 "TRACK 01 MODE1/2048\nINDEX 01 00:00:00\n"
	    "TRACK 02 AUDIO\nINDEX 01 00:04:00\n", mixed, OPTIMG_EFORMAT,
	    "line 1: 'a.bin' holds 1790500 bytes: its last 1176100 bytes "
	    "(track 02) are not a whole number of 2352-byte sectors");
	expect_layout_error(F1 T1 I1 "TRACK 02 AUDIO\nINDEX 01 00:02:00\n",
	    short_file, OPTIMG_EFORMAT, "line 5: INDEX 01 at frame 150 is "
	    "past the end of 'a.bin' (235200 bytes)");
	expect_layout_error(F1 T1 I1 "TRACK 02 AUDIO\nINDEX 01 00:01:25\n",
	    short_file, OPTIMG_EFORMAT, "line 5: INDEX 01 at frame 100 is "
	    "past the end of 'a.bin' (235200 bytes)");
	expect_layout_error(F1 T1 I1, empty, OPTIMG_EFORMAT,
	    "line 3: INDEX 01 at frame 0 is past the end of 'a.bin' "
	    "(0 bytes)");
}

/* Huge files: addresses past 2^31 sectors are refused, not wrapped. */
static void
test_layout_huge(void)
{
	uint64_t huge[] = { UINT64_MAX / 2 / 2352 * 2352 };
	uint64_t big2[] = { (uint64_t)INT32_MAX * 2048, 2048 };

	expect_layout_error(F1 T1 I1, huge, OPTIMG_EFORMAT,
	    "line 1: the disc would be longer than 2147483647 sectors");
	expect_layout_error("FILE a BINARY\nTRACK 01 MODE1/2048\n" I1
	    "FILE b BINARY\nTRACK 02 MODE1/2048\n" I1, big2, OPTIMG_EFORMAT,
	    "line 4: the disc would be longer than 2147483647 sectors");
}

/* ---- writer ------------------------------------------------------------ */

static char *
write_text(const struct optimg_disc *d, const char *const *files,
    int want_rc, struct optimg_error *err)
{
	char *text = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&text, &len);
	int rc;

	CU_ASSERT_PTR_NOT_NULL_FATAL(out);
	rc = oi_cue_write(out, d, files, err);
	fclose(out);
	CU_ASSERT_EQUAL(rc, want_rc);
	if (rc != want_rc)
		fprintf(stderr, "\n  write: %d %s\n", rc, err->message);
	return text;
}

static void
init_track(struct optimg_track *t, unsigned number, int32_t start,
    uint32_t pregap, uint32_t length)
{
	memset(t, 0, sizeof(*t));
	for (unsigned i = 0; i < OPTIMG_MAX_INDEX; i++)
		t->index[i] = OPTIMG_NO_INDEX;
	t->number = number;
	t->session = 1;
	t->mode = OPTIMG_TRACK_AUDIO;
	t->sector_size = 2352;
	t->start = t->index[1] = start;
	t->pregap = pregap;
	t->length = length;
}

static void
test_write_exact(void)
{
	static const char want[] =
	    "REM GENRE Rock\n"
	    "CATALOG 0000012101954\n"
	    "CDTEXTFILE \"x.cdt\"\n"
	    "REM optimg: TITLE had double quotes (written as ') or line "
	    "breaks, which a cue cannot hold\n"
	    "TITLE \"Best 'of'\"\n"
	    "PERFORMER \"Band\"\n"
	    "REM SESSION 01\n"
	    "FILE \"a.bin\" BINARY\n"
	    "  TRACK 01 MODE1/2352\n"
	    "    INDEX 01 00:00:00\n"
	    "FILE \"b.bin\" BINARY\n"
	    "  TRACK 02 AUDIO\n"
	    "    FLAGS DCP PRE\n"
	    "    ISRC USABC1234567\n"
	    "    TITLE \"Song\"\n"
	    "    REM REPLAYGAIN x\n"
	    "    PREGAP 00:02:00\n"
	    "    INDEX 00 00:00:00\n"
	    "    INDEX 01 00:02:00\n"
	    "    INDEX 02 00:04:50\n"
	    "    POSTGAP 00:01:00\n"
	    "REM SESSION 02\n"
	    "  TRACK 03 AUDIO\n"
	    "    INDEX 01 00:10:25\n";
	struct optimg_note disc_notes[] = { { "GENRE Rock" },
	    { "SESSION 01" } };
	struct optimg_note t2_notes[] = { { "REPLAYGAIN x" },
	    { "session 02" } };
	struct optimg_track t[3];
	struct optimg_disc d = { 0 };
	char b1[] = "b.bin", b2[] = "b.bin";
	const char *files[] = { "a.bin", b1, b2 };
	struct optimg_error err = { 0 };
	char *text;

	init_track(&t[0], 1, 0, 0, 1000);
	t[0].mode = OPTIMG_TRACK_MODE1;
	t[0].flags = OPTIMG_FLAG_DATA;
	init_track(&t[1], 2, 1300, 300, 700);
	t[1].pregap_unstored = 150;
	t[1].postgap_unstored = 75;
	t[1].index[0] = 1150;
	t[1].index[2] = 1500;
	t[1].flags = OPTIMG_FLAG_DCP | OPTIMG_FLAG_PRE;
	memcpy(t[1].isrc, "USABC1234567", 13);
	t[1].cdtext.field[OPTIMG_CDTEXT_TITLE] = "Song";
	t[1].notes = t2_notes;
	t[1].nnotes = 2;
	init_track(&t[2], 3, 2000, 0, 500);
	t[2].session = 2;
	d.tracks = t;
	d.ntracks = 3;
	memcpy(d.catalog, "0000012101954", 14);
	d.cdtextfile = "x.cdt";
	d.cdtext.field[OPTIMG_CDTEXT_TITLE] = "Best \"of\"";
	d.cdtext.field[OPTIMG_CDTEXT_PERFORMER] = "Band";
	d.notes = disc_notes;
	d.nnotes = 2;
	text = write_text(&d, files, 0, &err);
	if (text != NULL && strcmp(text, want) != 0)
		fprintf(stderr, "\n---- got\n%s---- want\n%s", text, want);
	CU_ASSERT_STRING_EQUAL(text, want);
	free(text);
}

/* An INDEX 00 inside the unstored pregap is left to PREGAP. */
static void
test_write_index0_unstored(void)
{
	struct optimg_track t;
	struct optimg_disc d = { .tracks = &t, .ntracks = 1 };
	const char *files[] = { "a.bin" };
	struct optimg_error err = { 0 };
	char *text;

	init_track(&t, 1, 150, 150, 100);
	t.pregap_unstored = 150;
	t.index[0] = 0;
	text = write_text(&d, files, 0, &err);
	CU_ASSERT_STRING_EQUAL(text, "FILE \"a.bin\" BINARY\n"
	    "  TRACK 01 AUDIO\n    PREGAP 00:02:00\n    INDEX 01 00:00:00\n");
	free(text);
}

static void
test_write_errors(void)
{
	struct optimg_track t;
	struct optimg_disc d = { .tracks = &t, .ntracks = 1 };
	const char *files[] = { "a.bin" }, *quoted[] = { "a\"b.bin" };
	struct optimg_error err = { 0 };

	init_track(&t, 1, 0, 0, 500000);
	t.index[2] = 450000;
	free(write_text(&d, files, OPTIMG_EUNSUPP, &err));
	CU_ASSERT_STRING_EQUAL(err.message, "track 01: INDEX 02 would be at "
	    "frame 450000 of its file, past 99:59:74, the last a cue sheet "
	    "can name");
	init_track(&t, 1, 0, 0, 100);
	t.mode = OPTIMG_TRACK_MODE1;
	t.sector_size = 2448;
	free(write_text(&d, files, OPTIMG_EUNSUPP, &err));
	CU_ASSERT_STRING_EQUAL(err.message, "track 01: 2448-byte sectors of "
	    "its mode have no CUE spelling");
	init_track(&t, 1, 0, 0, 100);
	free(write_text(&d, quoted, OPTIMG_EINVAL, &err));
	CU_ASSERT_STRING_EQUAL(err.message, "track 01: file name 'a\"b.bin' "
	    "cannot be written in a cue sheet (empty, or has double quotes "
	    "or line breaks)");
	t.pregap_unstored = 5;
	free(write_text(&d, files, OPTIMG_EINVAL, &err));
	CU_ASSERT_STRING_EQUAL(err.message, "track 01: its pregap, postgap "
	    "and length do not fit together");
}

static const char rich_sheet[] =
    "\xef\xbb\xbfREM GENRE \"Prog Rock\"\r\n"
    "REM SESSION 01\r\n"
    "CATALOG 0000012101954\r\n"
    "CDTEXTFILE \"disc.cdt\"\r\n"
    "TITLE \"Disc \"Title\"\"\r\n"
    "PERFORMER Someone Unquoted\r\n"
    "SONGWRITER \"S\"\r\nCOMPOSER \"C\"\r\nARRANGER \"A\"\r\n"
    "MESSAGE \"M\"\r\nDISC_ID \"D\"\r\nGENRE \"G\"\r\nUPC_EAN \"U\"\r\n"
    "FILE \"data.bin\" BINARY\r\n"
    "  TRACK 01 MODE1/2048\r\n"
    "    INDEX 01 00:00:00\r\n"
    "    POSTGAP 00:02:00\r\n"
    "  TRACK 02 AUDIO\r\n"
    "    FLAGS DCP 4CH PRE SCMS\r\n"
    "    ISRC USRC17607839\r\n"
    "    TITLE \"Two\"\r\n"
    "    REM REPLAYGAIN_TRACK_GAIN -7.50 dB\r\n"
    "    PREGAP 00:01:00\r\n"
    "    INDEX 00 00:10:00\r\n"
    "    INDEX 01 00:12:00\r\n"
    "    INDEX 02 00:13:00\r\n"
    "  TRACK 03 AUDIO\r\n"
    "    FLAGS DATA\r\n"
    "    INDEX 00 00:20:00\r\n"
    "FILE \"next.wav\" WAVE\r\n"
    "    INDEX 01 00:00:00\r\n"
    "REM LEAD-OUT 00:10:00\r\n"
    "REM SESSION 02\r\n"
    "FILE \"s2.bin\" MOTOROLA\r\n"
    "  TRACK 04 CDG\r\n"
    "    INDEX 01 00:00:00\r\n"
    "  TRACK 05 CDI/2336\r\n"
    "    INDEX 00 00:01:00\r\n"
    "    INDEX 01 00:03:00\r\n"
    "    POSTGAP 00:00:10\r\n";

/* parse -> layout -> write -> parse -> layout: the same disc. */
static void
test_write_roundtrip(void)
{
	char why[WHY_MAX];
	const char *broke;

	for (int split = 0; split < 2; split++) {
		broke = cue_roundtrip((const uint8_t *)rich_sheet,
		    sizeof(rich_sheet) - 1, split, why);
		if (broke != NULL)
			fprintf(stderr, "\n  round trip: %s\n", broke);
		CU_ASSERT_PTR_NULL(broke);
	}
}

/* And what the round trip above writes, checked line by line. */
static void
test_write_roundtrip_text(void)
{
	struct roundtrip rt;

	memset(&rt, 0, sizeof(rt));
	CU_ASSERT_PTR_NULL(run(&rt, (const uint8_t *)rich_sheet,
	    sizeof(rich_sheet) - 1, true));
	CU_ASSERT_PTR_NOT_NULL_FATAL(rt.text);
	CU_ASSERT_STRING_EQUAL(rt.text,
	    "REM GENRE \"Prog Rock\"\n"
	    "CATALOG 0000012101954\n"
	    "CDTEXTFILE \"disc.cdt\"\n"
	    "REM optimg: TITLE had double quotes (written as ') or line "
	    "breaks, which a cue cannot hold\n"
	    "TITLE \"Disc 'Title'\"\n"
	    "PERFORMER \"Someone Unquoted\"\n"
	    "SONGWRITER \"S\"\nCOMPOSER \"C\"\nARRANGER \"A\"\n"
	    "MESSAGE \"M\"\nDISC_ID \"D\"\nGENRE \"G\"\nUPC_EAN \"U\"\n"
	    "REM SESSION 01\n"
	    "FILE \"t01.bin\" BINARY\n"
	    "  TRACK 01 MODE1/2048\n"
	    "    INDEX 01 00:00:00\n"
	    "    POSTGAP 00:02:00\n"
	    "FILE \"t02.bin\" BINARY\n"
	    "  TRACK 02 AUDIO\n"
	    "    FLAGS DCP 4CH PRE SCMS\n"
	    "    ISRC USRC17607839\n"
	    "    TITLE \"Two\"\n"
	    "    REM REPLAYGAIN_TRACK_GAIN -7.50 dB\n"
	    "    PREGAP 00:01:00\n"
	    "    INDEX 00 00:00:00\n"
	    "    INDEX 01 00:02:00\n"
	    "    INDEX 02 00:03:00\n"
	    "FILE \"t03.bin\" BINARY\n"
	    "  TRACK 03 AUDIO\n"
	    "    INDEX 00 00:00:00\n"
	    "    INDEX 01 00:00:02\n"
	    "REM LEAD-OUT 00:10:00\n"
	    "REM SESSION 02\n"
	    "REM LEAD-IN 01:00:00\n"
	    "REM PREGAP 00:02:00\n"
	    "FILE \"t04.bin\" BINARY\n"
	    "  TRACK 04 CDG\n"
	    "    INDEX 01 00:00:00\n"
	    "FILE \"t05.bin\" BINARY\n"
	    "  TRACK 05 CDI/2336\n"
	    "    INDEX 00 00:00:00\n"
	    "    INDEX 01 00:02:00\n"
	    "    POSTGAP 00:00:10\n");
	for (unsigned i = 0; i < 2; i++) {
		oi_cue_free(rt.sheet[i]);
		fake_release(&rt.img[i]);
	}
	free(rt.names);
	free(rt.text);
}

/* ---- hostile input ------------------------------------------------------- */

static uint64_t rng_state;

static uint32_t
rng(void)
{
	/* xorshift64*: repeatable across platforms */
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return (uint32_t)((rng_state * 2685821657736338717ull) >> 32);
}

struct gen {
	char		*p;
	size_t		 room;
	unsigned	 pos;		/* last INDEX position in the FILE */
};

static void
put(struct gen *g, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
put(struct gen *g, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(g->p, g->room, fmt, ap);
	va_end(ap);
	if (n > 0 && (size_t)n < g->room) {
		g->p += n;
		g->room -= (size_t)n;
	}
}

static bool
chance(unsigned in)
{
	return rng() % in == 0;
}

/* Usually what the sheet needs, one time in 40 something else. */
static unsigned
mostly(unsigned good)
{
	return chance(40) ? rng() % 100 : good;
}

static void
put_index(struct gen *g, unsigned n)
{
	g->pos = mostly(g->pos + 1 + rng() % 300);
	put(g, "INDEX %02u %02u:%02u:%02u\n", n, g->pos / 4500,
	    g->pos / 75 % 60, g->pos % 75);
}

static void
put_random_track(struct gen *g, unsigned number)
{
	static const char *const modes[] = { "AUDIO", "CDG", "MODE1/2048",
	    "MODE1/2352", "MODE2/2336", "MODE2/2352", "CDI/2336", "CDI/2352",
	    "MODE9" };
	static const char *const types[] = { "BINARY", "MOTOROLA", "WAVE",
	    "MP3", "BINARY" };
	bool noncompliant = chance(4);

	if (number > 1 && chance(3) && !noncompliant) {
		g->pos = mostly(0);
		put(g, "FILE \"f%u.bin\" %s\n", number, types[rng() % 5]);
	}
	put(g, "TRACK %02u %s\n", mostly(number),
	    modes[chance(40) ? 8 : rng() % 8]);
	if (chance(3))
		put(g, "FLAGS DCP%s\n", chance(2) ? " DATA" : "");
	if (chance(4))
		put(g, "ISRC USRC1760%04u\n", rng() % 10000);
	if (chance(4))
		put(g, "TITLE \"t%u\"x\"\n", rng());
	if (chance(4))
		put(g, "REM %u\n", rng());
	if (chance(4))
		put(g, "PREGAP 00:%02u:%02u\n", rng() % 3, rng() % 75);
	if (chance(2) || noncompliant)
		put_index(g, mostly(0));
	if (noncompliant) {
		put(g, "FILE \"f%u.bin\" BINARY\n", number);
		g->pos = mostly(0);
		put(g, "INDEX 01 00:00:%02u\n", g->pos);
	} else
		put_index(g, mostly(1));
	for (unsigned n = 2; chance(3); n++)
		put_index(g, n);
	if (chance(4))
		put(g, "POSTGAP 00:%02u:%02u\n", rng() % 3, rng() % 75);
	if (chance(6))
		put(g, "REM SESSION %02u\n", mostly(2));
}

/* A sheet of a few tracks, mostly well formed. */
static size_t
random_sheet(char *buf, size_t room)
{
	struct gen g = { .p = buf, .room = room };
	unsigned ntracks = rng() % 6 + 1;

	if (chance(2))
		put(&g, "CATALOG %013u\n", rng());
	put(&g, "FILE \"f0.bin\" BINARY\n");
	for (unsigned t = 1; t <= ntracks; t++)
		put_random_track(&g, t);
	return (size_t)(g.p - buf);
}

static void
check_input(const uint8_t *buf, size_t len)
{
	char why[WHY_MAX];
	const char *broke = cue_roundtrip(buf, len, rng() & 1, why);

	if (broke != NULL)
		fprintf(stderr, "\n  hostile input broke: %s\n  input: %.*s\n",
		    broke, (int)len, (const char *)buf);
	CU_ASSERT_PTR_NULL(broke);
}

static void
test_hostile(void)
{
	uint8_t buf[4096];
	size_t rich = sizeof(rich_sheet) - 1;

	rng_state = 0x9e3779b97f4a7c15ull;
	/* Random bytes. */
	for (unsigned i = 0; i < 1000; i++) {
		size_t len = rng() % 300;
		for (size_t k = 0; k < len; k++)
			buf[k] = (uint8_t)rng();
		check_input(buf, len);
	}
	/* Every truncation of a valid sheet, and flipped bytes in it. */
	for (size_t len = 0; len <= rich; len++)
		check_input((const uint8_t *)rich_sheet, len);
	for (unsigned i = 0; i < 1000; i++) {
		memcpy(buf, rich_sheet, rich);
		for (unsigned k = rng() % 4 + 1; k > 0; k--)
			buf[rng() % rich] = (uint8_t)rng();
		check_input(buf, rich);
	}
	/* Random sheets, mostly well formed, to reach the writer. */
	for (unsigned i = 0; i < 3000; i++)
		check_input(buf, random_sheet((char *)buf, sizeof(buf)));
}

/* ---- the format module --------------------------------------------------- */

static char tmpdir[256];
static unsigned failures_at_setup;

static void
tmp_setup(void)
{
	snprintf(tmpdir, sizeof(tmpdir), "%s/test_cue.XXXXXX",
	    getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	if (mkdtemp(tmpdir) == NULL)
		tmpdir[0] = '\0';
	failures_at_setup = CU_get_number_of_failures();
}

static void
remove_tree(const char *path)
{
	struct stat st;
	DIR *d;
	struct dirent *de;
	char sub[1024];

	if (lstat(path, &st) != 0)
		return;
	if (S_ISDIR(st.st_mode) && (d = opendir(path)) != NULL) {
		while ((de = readdir(d)) != NULL) {
			if (strcmp(de->d_name, ".") == 0 ||
			    strcmp(de->d_name, "..") == 0)
				continue;
			snprintf(sub, sizeof(sub), "%s/%s", path, de->d_name);
			remove_tree(sub);
		}
		closedir(d);
		rmdir(path);
	} else
		unlink(path);
}

/* The directory stays for a look when the test failed. */
static void
tmp_teardown(void)
{
	if (tmpdir[0] == '\0')
		return;
	if (CU_get_number_of_failures() == failures_at_setup)
		remove_tree(tmpdir);
	else
		fprintf(stderr, "\n  kept %s\n", tmpdir);
}

static char *
tmp_path(const char *name)
{
	static char path[2][512];
	static unsigned n;
	char *p = path[n++ % 2];

	snprintf(p, sizeof(path[0]), "%s/%s", tmpdir, name);
	return p;
}

static void
put_file(const char *name, const void *data, size_t len)
{
	FILE *f = fopen(tmp_path(name), "wb");

	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	if (len > 0)
		CU_ASSERT_EQUAL(fwrite(data, 1, len, f), len);
	CU_ASSERT_EQUAL(fclose(f), 0);
}

static void
put_zeros(const char *name, size_t len)
{
	void *z = calloc(1, len + 1);

	put_file(name, z, len);
	free(z);
}

static char warned[OPTIMG_ERRMSG_MAX];

static void
catch_warning(void *ctx, const char *msg)
{
	(void)ctx;
	snprintf(warned, sizeof(warned), "%s", msg);
}

/* Opens cue (in tmpdir unless it has a /) with the cue format. */
static struct optimg_image *
open_cue(const char *cue, int want_rc, const char *want_msg)
{
	struct optimg_image *img = optimg_image_new();
	char *path = strchr(cue, '/') ? (char *)cue : tmp_path(cue);
	int rc;

	CU_ASSERT_PTR_NOT_NULL_FATAL(img);
	warned[0] = '\0';
	optimg_image_set_warning_cb(img, catch_warning, NULL);
	rc = oi_format_cue.open(img, path);
	if (rc != want_rc || (want_msg != NULL &&
	    strcmp(img->err.message, want_msg) != 0))
		fprintf(stderr, "\n  open: %d '%s'\n  want: %d '%s'\n", rc,
		    img->err.message, want_rc, want_msg ? want_msg : "");
	CU_ASSERT_EQUAL(rc, want_rc);
	if (want_msg != NULL)
		CU_ASSERT_STRING_EQUAL(img->err.message, want_msg);
	return img;
}

static int
cue_bid(const uint8_t *head, size_t len)
{
	struct oi_probe p = { head, len, head, len, len, "probe.cue" };

	return oi_format_cue.probe(&p);
}

static void
test_probe(void)
{
	static const char *const yes[] = {
		"FILE \"a.bin\" BINARY\n  TRACK 01 AUDIO\n",
		"\xef\xbb\xbfREM GENRE Rock\r\nCATALOG 0000012101954\r\n",
		"\n\n  title \"x\"\nperformer y\ncdtextfile z\nFILE",
		"REM\n",
		"REM x\xff\xfe\n",
		"REM x",
		/* One stray word in four lines: the parser names its line. */
		"PERFROMER x\nFILE \"a.bin\" BINARY\n  TRACK 01 AUDIO\n"
		"    INDEX 01 00:00:00\n",
	};
	static const char *const no[] = {
		"", "\n\n", "FILEX a\n", "CD001", "REM x\nhello\n",
		"REM\0FILE", "<?xml version", "TRACK 01 AUDIO\n\x01\n",
		"# notes\nREM x\nhello there\nFILE\n",
	};
	uint8_t bin[4096];

	for (unsigned i = 0; i < OI_ARRAY_SIZE(yes); i++)
		CU_ASSERT_EQUAL(cue_bid((const uint8_t *)yes[i],
		    strlen(yes[i])), 90);
	/* A word cut by the end of the head gives no verdict. */
	CU_ASSERT_EQUAL(cue_bid((const uint8_t *)"REM", 3), 0);
	for (unsigned i = 0; i < OI_ARRAY_SIZE(no); i++)
		CU_ASSERT_EQUAL(cue_bid((const uint8_t *)no[i],
		    i == 5 ? 8 : strlen(no[i])), 0);
	rng_state = 42;
	for (unsigned i = 0; i < 1000; i++) {
		size_t len = rng() % sizeof(bin);
		for (size_t k = 0; k < len; k++)
			bin[k] = (uint8_t)rng();
		CU_ASSERT_EQUAL(cue_bid(bin, len), 0);
	}
}

static const char one_track[] =
    "FILE \"DISC.BIN\" BINARY\n  TRACK 01 MODE1/2352\n"
    "    INDEX 01 00:00:00\n";

static void
test_open_case_and_backslash(void)
{
	static const char backslash[] = "FILE \"sub\\TRACK 1.BIN\" BINARY\n"
	    "TRACK 01 AUDIO\nINDEX 01 00:00:00\n";
	struct optimg_image *img;
	char sub[512];

	put_file("a.cue", one_track, sizeof(one_track) - 1);
	put_zeros("disc.bin", 3 * 2352);
	img = open_cue("a.cue", 0, NULL);
	CU_ASSERT_EQUAL(img->disc.ntracks, 1);
	CU_ASSERT_EQUAL(img->nstreams, 1);
	CU_ASSERT_STRING_EQUAL(img->streams[0].path, tmp_path("disc.bin"));
	CU_ASSERT_EQUAL(img->disc.tracks[0].length, 3);
	CU_ASSERT_STRING_EQUAL(warned, "");
	optimg_image_free(img);

	snprintf(sub, sizeof(sub), "%s/Sub", tmpdir);
	CU_ASSERT_EQUAL_FATAL(mkdir(sub, 0755), 0);
	put_zeros("Sub/Track 1.bin", 2 * 2352);
	put_file("b.cue", backslash, sizeof(backslash) - 1);
	img = open_cue("b.cue", 0, NULL);
	CU_ASSERT_STRING_EQUAL(img->streams[0].path,
	    tmp_path("Sub/Track 1.bin"));
	optimg_image_free(img);
}

static void
test_open_fallbacks(void)
{
	static const char win[] = "FILE \"C:\\rips\\Disc.bin\" BINARY\n"
	    "TRACK 01 AUDIO\nINDEX 01 00:00:00\n"
	    "FILE \"other.bin\" BINARY\nTRACK 02 AUDIO\nINDEX 01 00:00:00\n";
	struct optimg_image *img;
	char want[1024];

	/* One file that is not there: <sheet>.bin, with a warning. */
	put_file("Game.cue", one_track, sizeof(one_track) - 1);
	put_zeros("game.BIN", 2352);
	img = open_cue("Game.cue", 0, NULL);
	snprintf(want, sizeof(want), "'%s' line 1: cannot find 'DISC.BIN'; "
	    "using '%s'", tmp_path("Game.cue"), tmp_path("game.BIN"));
	CU_ASSERT_STRING_EQUAL(warned, want);
	optimg_image_free(img);

	/* A Windows path: its last component beside the sheet. */
	put_file("w.cue", win, sizeof(win) - 1);
	put_zeros("disc.bin", 2352);
	put_zeros("other.bin", 2352);
	img = open_cue("w.cue", 0, NULL);
	CU_ASSERT_EQUAL(img->disc.ntracks, 2);
	snprintf(want, sizeof(want), "'%s' line 1: cannot find "
	    "'C:\\rips\\Disc.bin'; using '%s'", tmp_path("w.cue"),
	    tmp_path("disc.bin"));
	CU_ASSERT_STRING_EQUAL(warned, want);
	optimg_image_free(img);

	/* Two files, one missing: no guessing. */
	unlink(tmp_path("other.bin"));
	snprintf(want, sizeof(want), "'%s' line 4: cannot find 'other.bin'",
	    tmp_path("w.cue"));
	optimg_image_free(open_cue("w.cue", OPTIMG_ENOENT, want));
}

static void
test_open_errors(void)
{
	static const char bad[] = "FILE \"x.bin\" BINARY\n"
	    "TRACK 01 MODE3\nINDEX 01 00:00:00\n";
	char want[1024];

	put_file("p.cue", bad, sizeof(bad) - 1);
	snprintf(want, sizeof(want), "'%s' line 2: unknown track mode "
	    "'MODE3'", tmp_path("p.cue"));
	optimg_image_free(open_cue("p.cue", OPTIMG_EFORMAT, want));

	put_file("s.cue", one_track, sizeof(one_track) - 1);
	put_zeros("disc.bin", 2353);
	snprintf(want, sizeof(want), "'%s' line 1: 'DISC.BIN' holds 2353 "
	    "bytes, not a whole number of 2352-byte sectors",
	    tmp_path("s.cue"));
	optimg_image_free(open_cue("s.cue", OPTIMG_EFORMAT, want));
}

/* A RIFF WAVE file: fmt, then a chunk to skip, then data. */
static size_t
make_wave(uint8_t *b, unsigned channels, uint32_t data_len, bool odd_chunk)
{
	size_t n = 0;

	memcpy(b, "RIFF\0\0\0\0WAVEfmt ", 16);
	n = 16;
	oi_le32enc(b + n, 16);
	b[n + 4] = 1;				/* PCM */
	b[n + 5] = 0;
	b[n + 6] = (uint8_t)channels;
	b[n + 7] = 0;
	oi_le32enc(b + n + 8, 44100);
	oi_le32enc(b + n + 12, 44100 * 4);
	b[n + 16] = 4;
	b[n + 17] = 0;
	b[n + 18] = 16;
	b[n + 19] = 0;
	n += 20;
	memcpy(b + n, "LIST", 4);
	oi_le32enc(b + n + 4, odd_chunk ? 3 : 4);
	memset(b + n + 8, 'x', 4);
	n += 12;
	memcpy(b + n, "data", 4);
	oi_le32enc(b + n + 4, data_len);
	n += 8;
	oi_le32enc(b + 4, (uint32_t)(n - 8 + data_len));
	return n;
}

static void
test_open_wave(void)
{
	static const char cue[] = "FILE \"a.wav\" WAVE\nTRACK 01 AUDIO\n"
	    "INDEX 01 00:00:00\nTRACK 02 AUDIO\nINDEX 01 00:00:01\n";
	uint8_t *b = calloc(1, 64 + 3 * 2352);
	struct optimg_image *img;
	char want[1024];
	size_t n;

	CU_ASSERT_PTR_NOT_NULL_FATAL(b);
	put_file("w.cue", cue, sizeof(cue) - 1);
	n = make_wave(b, 2, 3 * 2352, false);
	put_file("a.wav", b, n + 3 * 2352);
	img = open_cue("w.cue", 0, NULL);
	CU_ASSERT_EQUAL(img->nfrags, 1);
	CU_ASSERT_EQUAL(img->frags[0].offset, n);
	CU_ASSERT_EQUAL(img->frags[0].count, 3);
	CU_ASSERT_EQUAL(img->disc.tracks[1].length, 2);
	optimg_image_free(img);

	/* A data size past the end of the file is clamped (streamed WAVs). */
	n = make_wave(b, 2, UINT32_MAX, true);
	put_file("a.wav", b, n + 2 * 2352);
	img = open_cue("w.cue", 0, NULL);
	CU_ASSERT_EQUAL(img->frags[0].offset, n);
	CU_ASSERT_EQUAL(img->frags[0].count, 2);
	optimg_image_free(img);

	n = make_wave(b, 1, 2352, false);
	put_file("a.wav", b, n + 2352);
	snprintf(want, sizeof(want), "'%s' line 1: 'a.wav' is not 16-bit "
	    "stereo 44100 Hz PCM (format 1, 1 channels, 44100 Hz, 16 bits)",
	    tmp_path("w.cue"));
	optimg_image_free(open_cue("w.cue", OPTIMG_EUNSUPP, want));

	put_file("a.wav", "RIFX", 4);
	snprintf(want, sizeof(want), "'%s' line 1: 'a.wav' is not a RIFF "
	    "WAVE file", tmp_path("w.cue"));
	optimg_image_free(open_cue("w.cue", OPTIMG_EFORMAT, want));

	memcpy(b, "RIFF\0\0\0\0WAVEdata\0\0\0\0", 20);
	put_file("a.wav", b, 20);
	snprintf(want, sizeof(want), "'%s' line 1: 'a.wav' has no fmt chunk "
	    "followed by a data chunk", tmp_path("w.cue"));
	optimg_image_free(open_cue("w.cue", OPTIMG_EFORMAT, want));
	free(b);
}

/* libcdio's images: a name in another case, a missing BOING.BIN. */
static void
test_open_libcdio(void)
{
	struct optimg_image *img;
	char *path, want[4096];

	if ((path = testdata("isofs-m1.cue")) == NULL)
		return;
	img = open_cue(path, 0, NULL);
	CU_ASSERT_EQUAL(img->disc.ntracks, 1);
	CU_ASSERT_EQUAL(img->disc.tracks[0].length, 302);
	CU_ASSERT_STRING_EQUAL(img->disc.catalog, "0000012101954");
	CU_ASSERT_STRING_EQUAL(warned, "");
	optimg_image_free(img);

	if ((path = testdata("p1.cue")) == NULL)
		return;
	img = open_cue(path, 0, NULL);
	CU_ASSERT_EQUAL(img->disc.ntracks, 2);
	CU_ASSERT_EQUAL(img->disc.tracks[0].index[0], 0);
	CU_ASSERT_EQUAL(img->disc.tracks[0].start, 75);
	CU_ASSERT_EQUAL(img->disc.tracks[1].index[0], 150);
	CU_ASSERT_EQUAL(img->disc.tracks[1].start, 225);
	snprintf(want, sizeof(want), "'%s' line 4: cannot find 'BOING.BIN'; "
	    "using '", path);
	CU_ASSERT_EQUAL(strncmp(warned, want, strlen(want)), 0);
	optimg_image_free(img);

	if ((path = testdata("cdda_4_5.cue")) == NULL)
		return;
	img = open_cue(path, 0, NULL);
	CU_ASSERT_EQUAL(img->disc.ntracks, 2);
	CU_ASSERT_EQUAL(img->disc.tracks[0].number, 4);
	CU_ASSERT_EQUAL(img->disc.tracks[1].start, 150);
	optimg_image_free(img);
}

/* ---- suites ------------------------------------------------------------ */

static CU_TestInfo parse_tests[] = {
	{ "line ends, BOM, no final newline", test_parse_line_ends },
	{ "quoting and rest-of-line values", test_parse_quoting },
	{ "keywords in any case", test_parse_case },
	{ "music sheets: ISRC hyphens, long times, FLAGS DATA",
	  test_parse_music_quirks },
	{ "every track mode", test_parse_modes },
	{ "indices, gaps, flags, ISRC", test_parse_indices_gaps_flags },
	{ "CD-TEXT at disc and track level", test_parse_cdtext },
	{ "REM notes and REM SESSION", test_parse_rem },
	{ "10^5 notes, 1 MiB line", test_parse_big },
	{ "2^18 CR-only lines", test_parse_many_cr_lines },
	{ "each error message", test_parse_errors },
	{ "NUL, UTF-16, long words", test_parse_errors_binary },
	{ "libcdio's sheets", test_libcdio_sheets },
	CU_TEST_INFO_NULL
};

static CU_TestInfo layout_tests[] = {
	{ "one bin, three tracks", test_layout_single_bin },
	{ "Redump split", test_layout_redump_split },
	{ "EAC noncompliant", test_layout_eac_noncompliant },
	{ "PREGAP and POSTGAP shift", test_layout_pregap_postgap },
	{ "PREGAP with INDEX 00, last POSTGAP", test_layout_gaps_and_index0 },
	{ "MODE1/2048 and AUDIO in one file", test_layout_mixed_sizes },
	{ "CDG, MOTOROLA, sessions", test_layout_file_kinds },
	{ "size and range errors", test_layout_errors },
	{ "huge files", test_layout_huge },
	CU_TEST_INFO_NULL
};

static CU_TestInfo write_tests[] = {
	{ "exact text", test_write_exact },
	{ "INDEX 00 in an unstored pregap", test_write_index0_unstored },
	{ "what a cue cannot hold", test_write_errors },
	{ "round trip keeps the disc", test_write_roundtrip },
	{ "round trip text", test_write_roundtrip_text },
	{ "hostile input", test_hostile },
	CU_TEST_INFO_NULL
};

static CU_TestInfo format_tests[] = {
	{ "probe", test_probe },
	{ "names in another case, backslashes", test_open_case_and_backslash },
	{ "<sheet>.bin and Windows paths", test_open_fallbacks },
	{ "errors name the sheet", test_open_errors },
	{ "WAVE files", test_open_wave },
	{ "libcdio's images", test_open_libcdio },
	CU_TEST_INFO_NULL
};

static CU_SuiteInfo suites[] = {
	{ .pName = "cue_parse", .pTests = parse_tests },
	{ .pName = "cue_layout", .pTests = layout_tests },
	{ .pName = "cue_write", .pTests = write_tests },
	{ .pName = "fmt_cue", .pSetUpFunc = tmp_setup,
	  .pTearDownFunc = tmp_teardown, .pTests = format_tests },
	CU_SUITE_INFO_NULL
};

OI_CUNIT_MAIN(suites)
