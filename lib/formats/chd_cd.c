/*
 * chd_cd.c - a CHD's CD track list (MAME cdrom.cpp's metadata).
 *
 * CHT2 (and CHGD for GD-ROM) entries are text, one per track:
 *   TRACK:1 TYPE:MODE1_RAW SUBTYPE:NONE FRAMES:1234 PREGAP:150
 *   PGTYPE:VAUDIO PGSUB:RW POSTGAP:0
 * CHGD adds PAD:n after FRAMES: chdman fills the sectors between a
 * GD-ROM's tracks, which no .gdi file holds (the gap before track 2, the
 * space up to the high-density area at LBA 45000), with n zero frames
 * that FRAMES counts; here they are the track's unstored postgap.
 * CHTR is CHT2 without the pregap fields; CHCD is the old binary table
 * (big-endian words: track count, then per track type, subtype, data
 * size, subcode size, frames, extra frames).  PGTYPE starting with V
 * means the pregap's frames are stored (they are part of FRAMES); else
 * the pregap is silence no file holds.  Each track's frames start on a
 * multiple of 4 in the CHD (chdman pads), so a track's first frame is the
 * sum of the padded lengths before it.  SUBTYPE (and CHCD's subtype
 * word, numbered as MAME's cdrom.h) says what a frame's last 96 bytes
 * hold (chd.h); PGSUB is written as the SUBTYPE when the pregap's frames
 * are stored, else NONE.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chd.h"

static const struct cd_type {
	const char		*name;
	enum optimg_track_mode	 mode;
	unsigned		 datasize;
} types[] = {
	{ "MODE1", OPTIMG_TRACK_MODE1, 2048 },
	{ "MODE1_RAW", OPTIMG_TRACK_MODE1, 2352 },
	{ "MODE2", OPTIMG_TRACK_MODE2, 2336 },
	{ "MODE2_FORM1", OPTIMG_TRACK_MODE2, 2048 },
	{ "MODE2_FORM2", OPTIMG_TRACK_MODE2, 2324 },
	{ "MODE2_FORM_MIX", OPTIMG_TRACK_MODE2, 2336 },
	{ "MODE2_RAW", OPTIMG_TRACK_MODE2, 2352 },
	{ "AUDIO", OPTIMG_TRACK_AUDIO, 2352 },
};

const char *
oi_chd_cd_type(enum optimg_track_mode mode, unsigned sector_size)
{
	if (mode == OPTIMG_TRACK_AUDIO)
		return "AUDIO";
	if (mode == OPTIMG_TRACK_MODE1)
		return sector_size == 2048 ? "MODE1" : "MODE1_RAW";
	if (sector_size == 2048)
		return "MODE2_FORM1";
	return sector_size == 2336 ? "MODE2" : "MODE2_RAW";
}

static const char *const sub_names[] = { "RW", "RW_RAW", "NONE" };

static bool
find_sub(const char *name, enum chd_sub *out)
{
	for (unsigned i = 0; i < OI_ARRAY_SIZE(sub_names); i++)
		if (strcmp(sub_names[i], name) == 0) {
			*out = (enum chd_sub)i;
			return true;
		}
	return false;
}

static const struct cd_type *
find_type(const char *name)
{
	for (unsigned i = 0; i < OI_ARRAY_SIZE(types); i++)
		if (strcmp(types[i].name, name) == 0)
			return &types[i];
	return NULL;
}

/* The value after "key:" in a metadata line, up to a space. */
static bool
field(const char *text, const char *key, char *out, size_t len)
{
	size_t kl = strlen(key);

	for (const char *p = text; (p = strstr(p, key)) != NULL; p += kl) {
		if ((p != text && p[-1] != ' ') || p[kl] != ':')
			continue;
		p += kl + 1;
		size_t n = strcspn(p, " \t\r\n");
		if (n >= len)
			return false;
		memcpy(out, p, n);
		out[n] = '\0';
		return true;
	}
	return false;
}

static bool
number(const char *text, const char *key, uint32_t *out, bool need)
{
	char buf[16], *end;
	unsigned long v;

	if (!field(text, key, buf, sizeof(buf))) {
		*out = 0;
		return !need;
	}
	v = strtoul(buf, &end, 10);
	if (*end != '\0' || end == buf || v > 0x7fffffff)
		return false;
	*out = (uint32_t)v;
	return true;
}

static int
parse_text(const struct chd_meta *m, struct chd_cd_track *t, bool gd,
    unsigned idx, struct optimg_error *err)
{
	const char *s = (const char *)m->data;
	char type[24], sub[16], pgtype[24];
	const struct cd_type *ty;
	uint32_t num;

	if (!number(s, "TRACK", &num, true) || !field(s, "TYPE", type,
	    sizeof(type)) || !field(s, "SUBTYPE", sub, sizeof(sub)) ||
	    !number(s, "FRAMES", &t->frames, true) ||
	    !number(s, "PREGAP", &t->pregap, false) ||
	    !number(s, "POSTGAP", &t->postgap, false) ||
	    !number(s, "PAD", &t->pad, false))
		return oi_set_error(err, OPTIMG_EFORMAT,
		    "CD metadata entry %u is not a track description", idx);
	if ((ty = find_type(type)) == NULL)
		return oi_set_error(err, OPTIMG_EUNSUPP,
		    "CD metadata entry %u: unknown track type '%s'", idx, type);
	if (!find_sub(sub, &t->sub))
		return oi_set_error(err, OPTIMG_EUNSUPP, "CD metadata entry "
		    "%u: unknown subcode type '%s'", idx, sub);
	t->number = num;
	t->type = ty->name;
	t->mode = ty->mode;
	t->datasize = ty->datasize;
	t->pregap_stored = field(s, "PGTYPE", pgtype, sizeof(pgtype)) &&
	    pgtype[0] == 'V';
	/* CHGD's FRAMES count the padding up to the next track, stored as
	   zero frames; CHT2 has no padding. */
	if (!gd)
		t->pad = 0;
	else if (t->pad >= t->frames)
		return oi_set_error(err, OPTIMG_EFORMAT, "GD-ROM metadata "
		    "entry %u: %u frames of padding in %u", idx, t->pad,
		    t->frames);
	t->frames -= t->pad;
	return OPTIMG_OK;
}

static int
parse_chcd(const struct chd_meta *m, struct chd_cd *cd,
    struct optimg_error *err)
{
	static const char *const old[] = { "MODE1", "MODE1_RAW", "MODE2",
	    "MODE2_FORM1", "MODE2_FORM2", "MODE2_FORM_MIX", "MODE2_RAW",
	    "AUDIO" };
	uint32_t n;

	if (m->len < 4 || (n = oi_be32dec(m->data)) == 0 || n > 99 ||
	    m->len < 4 + (size_t)n * 24)
		return oi_set_error(err, OPTIMG_EFORMAT,
		    "CHCD metadata: bad track table");
	cd->tracks = calloc(n, sizeof(*cd->tracks));
	if (cd->tracks == NULL)
		return oi_set_error(err, OPTIMG_ENOMEM, "out of memory");
	for (uint32_t i = 0; i < n; i++) {
		const uint8_t *p = m->data + 4 + 24 * (size_t)i;
		struct chd_cd_track *t = &cd->tracks[i];
		uint32_t ty = oi_be32dec(p), sub = oi_be32dec(p + 4);
		if (ty >= OI_ARRAY_SIZE(old) || sub > CHD_SUB_NONE)
			return oi_set_error(err, OPTIMG_EFORMAT, "CHCD metadata: "
			    "track %u has type %u, subcode %u", i + 1, ty, sub);
		const struct cd_type *c = find_type(old[ty]);
		t->number = i + 1;
		t->type = c->name;
		t->mode = c->mode;
		t->datasize = c->datasize;
		t->sub = (enum chd_sub)sub;
		t->frames = oi_be32dec(p + 16);
	}
	cd->ntracks = n;
	return OPTIMG_OK;
}

/* Frames a track takes in the CHD: its own, padding, then up to 4. */
static uint64_t
chd_frames(const struct chd_cd_track *t)
{
	uint64_t n = (uint64_t)t->frames + t->pad;

	return (n + CHD_CD_PAD - 1) / CHD_CD_PAD * CHD_CD_PAD;
}

static int
place_tracks(struct chd_cd *cd, uint64_t units, struct optimg_error *err)
{
	uint64_t frame = 0;

	for (unsigned i = 0; i < cd->ntracks; i++) {
		struct chd_cd_track *t = &cd->tracks[i];
		if (t->number != i + 1)
			return oi_set_error(err, OPTIMG_EFORMAT,
			    "CD metadata: track %u is listed as track %u",
			    i + 1, t->number);
		if (t->frames == 0 || (t->pregap_stored &&
		    t->pregap > t->frames) || t->frames > 450000 ||
		    t->pregap > 450000 || t->postgap > 450000)
			return oi_set_error(err, OPTIMG_EFORMAT,
			    "CD metadata: track %u has %u frames and a pregap "
			    "of %u", t->number, t->frames, t->pregap);
		t->chd_frame = frame;
		frame += chd_frames(t);
		if (frame - chd_frames(t) + t->frames + t->pad > units)
			return oi_set_error(err, OPTIMG_EFORMAT,
			    "CD metadata: track %u ends past the CHD's %llu "
			    "frames", t->number, (unsigned long long)units);
	}
	return OPTIMG_OK;
}

static int
parse_tracks(const struct oi_chd *chd, struct chd_cd *cd,
    struct optimg_error *err)
{
	static const uint32_t tags[] = { CHD_META_CHT2, CHD_META_CHTR,
	    CHD_META_CHGD };
	const struct chd_meta *m;
	unsigned n = 0;
	uint32_t tag = 0;

	if (chd->unit_bytes != CHD_CD_FRAME ||
	    chd->hunk_bytes % CHD_CD_FRAME != 0)
		return oi_set_error(err, OPTIMG_EFORMAT,
		    "CD CHD with %u-byte units and %u-byte hunks",
		    chd->unit_bytes, chd->hunk_bytes);
	for (unsigned i = 0; i < OI_ARRAY_SIZE(tags) && n == 0; i++)
		while (oi_chd_meta(chd, tags[i], n) != NULL)
			n++, tag = tags[i];
	if (n == 0 && (m = oi_chd_meta(chd, CHD_META_CHCD, 0)) != NULL) {
		OI_TRY(parse_chcd(m, cd, err));
		return place_tracks(cd, chd->logical_bytes / CHD_CD_FRAME, err);
	}
	if (n == 0 || n > 99)
		return oi_set_error(err, OPTIMG_EFORMAT,
		    "CD CHD with %u track entries", n);
	cd->gdrom = tag == CHD_META_CHGD;
	cd->tracks = calloc(n, sizeof(*cd->tracks));
	if (cd->tracks == NULL)
		return oi_set_error(err, OPTIMG_ENOMEM, "out of memory");
	cd->ntracks = n;
	for (unsigned i = 0; i < n; i++)
		OI_TRY(parse_text(oi_chd_meta(chd, tag, i), &cd->tracks[i],
		    cd->gdrom, i, err));
	return place_tracks(cd, chd->logical_bytes / CHD_CD_FRAME, err);
}

/* On failure nothing is left to release. */
int
oi_chd_cd_parse(const struct oi_chd *chd, struct chd_cd *cd,
    struct optimg_error *err)
{
	int rc;

	memset(cd, 0, sizeof(*cd));
	if ((rc = parse_tracks(chd, cd, err)) < 0)
		oi_chd_cd_release(cd);
	return rc;
}

void
oi_chd_cd_release(struct chd_cd *cd)
{
	free(cd->tracks);
	cd->tracks = NULL;
	cd->ntracks = 0;
}

int
oi_chd_cd_format(const struct chd_cd_track *t, bool gd, char *buf,
    size_t len)
{
	char pad[24] = "";

	if (gd)
		snprintf(pad, sizeof(pad), " PAD:%u", t->pad);
	return snprintf(buf, len, "TRACK:%u TYPE:%s SUBTYPE:%s FRAMES:%u%s "
	    "PREGAP:%u PGTYPE:%s%s PGSUB:%s POSTGAP:%u", t->number, t->type,
	    sub_names[t->sub], t->frames + t->pad, pad, t->pregap,
	    t->pregap_stored ? "V" : "", t->pregap_stored ? t->type : "MODE1",
	    sub_names[t->pregap_stored ? t->sub : CHD_SUB_NONE], t->postgap);
}
