/*
 * test_seams.c - the seams formats plug into: streams behind an ops
 * table, the subchannel layouts and Q, 2448-byte reads of a subchannel
 * kept beside the sectors, the gap between sessions, and the writer table
 * with its refusals by name.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cunit_main.h"
#include "convert.h"

static uint32_t rng_state;

static uint32_t
rng(void)
{
	rng_state = rng_state * 1103515245u + 12345u;
	return rng_state >> 8;
}

static void
test_mem_stream(void)
{
	static const char data[] = "0123456789";
	struct optimg_error err = { 0 };
	struct oi_stream st;
	char buf[8];

	CU_ASSERT_EQUAL_FATAL(oi_stream_open_mem(&st, "mem", data, 10, &err),
	    0);
	CU_ASSERT_EQUAL(st.size, 10);
	CU_ASSERT_EQUAL(oi_stream_pread(&st, buf, 4, 6, &err), 0);
	CU_ASSERT(memcmp(buf, "6789", 4) == 0);
	/* Past the end is an error naming the stream, never a short read. */
	CU_ASSERT_EQUAL(oi_stream_pread(&st, buf, 5, 6, &err), OPTIMG_EFORMAT);
	CU_ASSERT(strstr(err.message, "'mem' ends at byte 10") != NULL);
	CU_ASSERT_EQUAL(oi_stream_pread(&st, buf, 1, UINT64_MAX, &err),
	    OPTIMG_EFORMAT);
	/* Memory cannot be copied by the kernel. */
	CU_ASSERT_EQUAL(oi_stream_plain_fd(&st), -1);
	oi_stream_close(&st);
}

static void
test_sub_layouts(void)
{
	uint8_t lin[96], raw[96], back[96], q[12];

	rng_state = 7;
	for (unsigned round = 0; round < 50; round++) {
		for (unsigned i = 0; i < 96; i++)
			lin[i] = (uint8_t)rng();
		oi_sub_interleave(lin, raw);
		oi_sub_deinterleave(raw, back);
		CU_ASSERT(memcmp(lin, back, 96) == 0);
		/* Q is channel 1: bytes 12..23 of the linear form. */
		oi_sub_q(raw, q);
		CU_ASSERT(memcmp(q, lin + 12, 12) == 0);
	}
	/* One bit: P's first bit is bit 7 of raw byte 0. */
	memset(lin, 0, 96);
	lin[0] = 0x80;
	lin[95] = 0x01;		/* W's last bit */
	oi_sub_interleave(lin, raw);
	CU_ASSERT_EQUAL(raw[0], 0x80);
	CU_ASSERT_EQUAL(raw[95], 0x01);
}

/* CRC-16/GENIBUS (poly 0x1021, init 0 after inversion) checks to 0xD64E;
   Q's CRC is the same register from 0, inverted: check value 0xCE3C. */
static void
test_subq_crc(void)
{
	static const uint8_t check[10] = "123456789";
	uint8_t q[12] = { 0x41, 0x01, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00,
	    0x02, 0x00 };
	uint16_t crc;

	{
		/* "123456789" over 9 bytes, as the published check value. */
		uint16_t c = 0;
		for (unsigned i = 0; i < 9; i++) {
			c ^= (uint16_t)(check[i] << 8);
			for (unsigned b = 0; b < 8; b++)
				c = (uint16_t)(c & 0x8000 ?
				    (c << 1) ^ 0x1021 : c << 1);
		}
		CU_ASSERT_EQUAL((uint16_t)~c, 0xCE3C);
	}
	crc = oi_subq_crc(q);
	q[10] = (uint8_t)(crc >> 8);
	q[11] = (uint8_t)crc;
	CU_ASSERT_TRUE(oi_subq_ok(q));
	q[5] ^= 1;
	CU_ASSERT_FALSE(oi_subq_ok(q));
}

static void
init_track(struct optimg_track *t, unsigned n, int32_t start,
    uint32_t pregap, uint32_t length)
{
	memset(t, 0, sizeof(*t));
	for (unsigned i = 0; i < OPTIMG_MAX_INDEX; i++)
		t->index[i] = OPTIMG_NO_INDEX;
	t->number = n;
	t->session = 1;
	t->start = start;
	t->index[1] = start;
	t->pregap = pregap;
	t->length = length;
	if (pregap > 0)
		t->index[0] = start - (int32_t)pregap;
}

static void
test_subq_make(void)
{
	struct optimg_track t[2];
	struct optimg_disc d = { .tracks = t, .ntracks = 2 };
	uint8_t q[12], raw[96];

	init_track(&t[0], 1, 0, 150, 1000);
	t[0].mode = OPTIMG_TRACK_MODE1;
	t[0].flags = OPTIMG_FLAG_DATA;
	init_track(&t[1], 2, 1150, 150, 500);
	t[1].flags = OPTIMG_FLAG_DCP;
	/* LBA 0: track 1 index 1, relative 00:00:00, absolute 00:02:00. */
	oi_subq_make(&d, 0, q);
	CU_ASSERT_EQUAL(q[0], 0x41);
	CU_ASSERT_EQUAL(q[1], 0x01);
	CU_ASSERT_EQUAL(q[2], 0x01);
	CU_ASSERT_EQUAL(q[5], 0x00);
	CU_ASSERT_EQUAL(q[7], 0x00);
	CU_ASSERT_EQUAL(q[8], 0x02);
	CU_ASSERT_EQUAL(q[9], 0x00);
	CU_ASSERT_TRUE(oi_subq_ok(q));
	/* In track 2's pause the relative time counts down to INDEX 01. */
	oi_subq_make(&d, 1149, q);
	CU_ASSERT_EQUAL(q[0], 0x21);
	CU_ASSERT_EQUAL(q[1], 0x02);
	CU_ASSERT_EQUAL(q[2], 0x00);
	CU_ASSERT_EQUAL(q[5], 0x01);
	/* 1149 + 150 = 1299 frames = 00:17:24 */
	CU_ASSERT_EQUAL(q[7], 0x00);
	CU_ASSERT_EQUAL(q[8], 0x17);
	CU_ASSERT_EQUAL(q[9], 0x24);
	oi_sub_make(&d, 1149, raw);
	CU_ASSERT_EQUAL(raw[0] & 0x80, 0x80);	/* P set in the pause */
	oi_sub_make(&d, 1150, raw);
	CU_ASSERT_EQUAL(raw[0] & 0x80, 0);
}

/* A 4-sector audio image in memory with a linear .sub beside it. */
static void
test_read_sub_stream(void)
{
	uint8_t main_data[4 * 2352], sub[4 * 96], buf[4 * 2448], raw[96];
	struct optimg_image *img = optimg_image_new();
	struct oi_fragment f = { 0 };
	struct optimg_track *t;
	struct oi_stream st;
	unsigned ms, ss;

	rng_state = 3;
	for (size_t i = 0; i < sizeof(main_data); i++)
		main_data[i] = (uint8_t)rng();
	for (size_t i = 0; i < sizeof(sub); i++)
		sub[i] = (uint8_t)rng();
	CU_ASSERT_EQUAL_FATAL(oi_stream_open_mem(&st, "m.img", main_data,
	    sizeof(main_data), &img->err), 0);
	CU_ASSERT_EQUAL_FATAL(oi_image_adopt_stream(img, &st, &ms), 0);
	CU_ASSERT_EQUAL_FATAL(oi_stream_open_mem(&st, "m.sub", sub,
	    sizeof(sub), &img->err), 0);
	CU_ASSERT_EQUAL_FATAL(oi_image_adopt_stream(img, &st, &ss), 0);
	f.count = 4;
	f.fill = OI_FILL_FILE;
	f.stream = ms;
	f.sector_size = 2352;
	f.mode = OPTIMG_TRACK_AUDIO;
	f.sub = OI_SUB_STREAM;
	f.sub_linear = true;
	f.sub_stream = ss;
	CU_ASSERT_EQUAL(oi_image_add_fragment(img, &f), 0);
	CU_ASSERT_EQUAL(oi_image_add_track(img, &t), 0);
	t->number = 1;
	t->start = 0;
	t->sector_size = 2352;
	t->subchannel = true;
	CU_ASSERT_EQUAL_FATAL(oi_image_finish_layout(img), 0);
	CU_ASSERT_EQUAL_FATAL(optimg_image_read(img, 1, 3, 2448, buf), 0);
	for (unsigned i = 0; i < 3; i++) {
		CU_ASSERT(memcmp(buf + i * 2448, main_data + (i + 1) * 2352,
		    2352) == 0);
		oi_sub_interleave(sub + (i + 1) * 96, raw);
		CU_ASSERT(memcmp(buf + i * 2448 + 2352, raw, 96) == 0);
	}
	/* 2352 reads leave the subchannel out. */
	CU_ASSERT_EQUAL(optimg_image_read(img, 0, 2, 2352, buf), 0);
	CU_ASSERT(memcmp(buf, main_data, 2 * 2352) == 0);
	optimg_image_free(img);
}

/* Sectors between sessions are in no file: reading them says where. */
static void
test_session_gap_read(void)
{
	struct optimg_image *img = optimg_image_new();
	struct oi_fragment f = { .fill = OI_FILL_ZERO,
	    .mode = OPTIMG_TRACK_MODE1, .sector_size = 2048 };
	struct optimg_track *t;
	uint8_t buf[2048];

	f.count = 100;
	CU_ASSERT_EQUAL(oi_image_add_fragment(img, &f), 0);
	f.lba = 100;
	f.count = OI_LEADOUT_FIRST;
	f.fill = OI_FILL_LEADOUT;
	CU_ASSERT_EQUAL(oi_image_add_fragment(img, &f), 0);
	f.lba += (int32_t)f.count;
	f.count = OI_LEADIN;
	f.fill = OI_FILL_LEADIN;
	CU_ASSERT_EQUAL(oi_image_add_fragment(img, &f), 0);
	f.lba += (int32_t)f.count;
	f.count = 200;
	f.fill = OI_FILL_ZERO;
	CU_ASSERT_EQUAL(oi_image_add_fragment(img, &f), 0);
	CU_ASSERT_EQUAL(oi_image_add_track(img, &t), 0);
	t->number = 1;
	t->mode = OPTIMG_TRACK_MODE1;
	t->start = 0;
	CU_ASSERT_EQUAL(oi_image_add_track(img, &t), 0);
	t->number = 2;
	t->session = 2;
	t->mode = OPTIMG_TRACK_MODE1;
	t->start = 100 + 6750 + 4500 + 150;
	t->pregap_unstored = 150;
	CU_ASSERT_EQUAL_FATAL(oi_image_finish_layout(img), 0);
	CU_ASSERT_EQUAL(img->disc.tracks[0].length, 100);
	CU_ASSERT_EQUAL(img->disc.tracks[1].pregap, 150);
	CU_ASSERT_EQUAL(img->disc.tracks[1].length, 50);
	CU_ASSERT_EQUAL(img->disc.nsessions, 2);
	CU_ASSERT_EQUAL(img->disc.sessions[0].leadout, 100);
	CU_ASSERT_EQUAL(img->disc.sessions[0].leadout_length, 6750);
	CU_ASSERT_EQUAL(img->disc.sessions[1].leadin_length, 4500);
	CU_ASSERT_EQUAL(img->disc.sessions[1].leadout, 11550);
	CU_ASSERT_EQUAL(optimg_image_read(img, 11400, 1, 2048, buf), 0);
	CU_ASSERT_EQUAL(optimg_image_read(img, 99, 2, 2048, buf),
	    OPTIMG_ERANGE);
	CU_ASSERT_STRING_EQUAL(optimg_image_errmsg(img), "sector 100 lies in "
	    "the lead-out between sessions 1 and 2, which no image stores");
	CU_ASSERT_EQUAL(optimg_image_read(img, 6850, 1, 2048, buf),
	    OPTIMG_ERANGE);
	CU_ASSERT(strstr(optimg_image_errmsg(img), "lead-in") != NULL);
	optimg_image_free(img);
}

static void
test_writer_table(void)
{
	struct optimg_error err = { 0 };
	const struct oi_writer *w;

	CU_ASSERT_EQUAL(oi_writer_find(NULL, "x/a.ISO", &w, &err), 0);
	CU_ASSERT_STRING_EQUAL(w->name, "iso");
	CU_ASSERT_EQUAL(oi_writer_find("bin", "x.iso", &w, &err), 0);
	CU_ASSERT_STRING_EQUAL(w->name, "cue");
	CU_ASSERT_EQUAL(oi_writer_find(NULL, "a.cue/b", &w, &err),
	    OPTIMG_EINVAL);
	CU_ASSERT(strstr(err.message, "cannot tell the output format") !=
	    NULL);
	CU_ASSERT_EQUAL(oi_writer_find("floppy", "a", &w, &err),
	    OPTIMG_EINVAL);
	CU_ASSERT(strstr(err.message, "no output format 'floppy'") != NULL);
	CU_ASSERT_STRING_EQUAL(optimg_convert_format(NULL, "a.cue"), "cue");
	CU_ASSERT_PTR_NULL(optimg_convert_format(NULL, "a.qqq"));
	CU_ASSERT(strstr(optimg_convert_formats(), "iso") != NULL);
}

/* Subchannel and CD-TEXT into an ISO are named; --lossy lets them go. */
static void
test_refusals(void)
{
	static uint8_t iso[20 * 2048];
	struct optimg_convert_opts opts = { 0 };
	struct optimg_error err = { 0 };
	struct optimg_image *img = optimg_image_new();
	struct optimg_track *t;
	struct oi_stream st;
	struct oi_fragment f = { .count = 20, .fill = OI_FILL_FILE,
	    .sector_size = 2048, .mode = OPTIMG_TRACK_MODE1 };
	char out[] = "/nonexistent-dir/never.iso";

	CU_ASSERT_EQUAL_FATAL(oi_stream_open_mem(&st, "m.iso", iso,
	    sizeof(iso), &img->err), 0);
	CU_ASSERT_EQUAL_FATAL(oi_image_adopt_stream(img, &st, &f.stream), 0);
	CU_ASSERT_EQUAL(oi_image_add_fragment(img, &f), 0);
	CU_ASSERT_EQUAL(oi_image_add_track(img, &t), 0);
	t->number = 1;
	t->mode = OPTIMG_TRACK_MODE1;
	t->sector_size = 2048;
	t->start = 0;
	t->subchannel = true;
	t->cdtext.field[OPTIMG_CDTEXT_TITLE] = strdup("T");
	memcpy(img->disc.catalog, "0000012101954", 14);
	CU_ASSERT_EQUAL_FATAL(oi_image_finish_layout(img), 0);
	img->format = &oi_format_iso;
	CU_ASSERT_EQUAL(optimg_convert(img, out, &opts, &err), OPTIMG_ELOSSY);
	CU_ASSERT_STRING_EQUAL(err.message, "an ISO image cannot hold the "
	    "image's subchannel (track 1), CD-TEXT (track 1)");
	CU_ASSERT_EQUAL(err.remedy[0], OPTIMG_OPTION_LOSSY);
	/* The cue keeps CD-TEXT and the catalog but not a data track's
	   subchannel. */
	opts.format = "cue";
	CU_ASSERT_EQUAL(optimg_convert(img, out, &opts, &err), OPTIMG_ELOSSY);
	CU_ASSERT_STRING_EQUAL(err.message, "a cue sheet cannot hold the "
	    "image's subchannel (track 1)");
	/* Allowed, the conversion goes on to the writer (which cannot
	   create the output here). */
	opts.lossy = true;
	CU_ASSERT_NOT_EQUAL(optimg_convert(img, out, &opts, &err),
	    OPTIMG_ELOSSY);
	optimg_image_free(img);
}

static CU_TestInfo seam_tests[] = {
	{ "memory stream through the ops table", test_mem_stream },
	{ "subchannel: linear <-> raw, Q out of raw", test_sub_layouts },
	{ "subchannel Q CRC", test_subq_crc },
	{ "subchannel P and Q made from the TOC", test_subq_make },
	{ "2448 reads of a .sub beside the sectors", test_read_sub_stream },
	{ "sectors between sessions", test_session_gap_read },
	{ "writer table: names, aliases, extensions", test_writer_table },
	{ "what a target cannot hold is refused by name", test_refusals },
	CU_TEST_INFO_NULL
};

static CU_SuiteInfo suites[] = {
	{ .pName = "seams", .pTests = seam_tests },
	CU_SUITE_INFO_NULL
};

OI_CUNIT_MAIN(suites)
