/*
 * burn_check.c - the refusals a burn makes before anything is written,
 * from what the drive reported (struct optimg_burner_info) and the plan:
 * no media, media that are not blank, audio on a DVD or BD, appending to
 * media without sessions, an image larger than the free space.  Each
 * message names the drive, the media and what was wrong with them.
 * libburn's own checks (write types, capabilities) follow in burn.c;
 * nothing here knows libburn's types, so the unit tests can call these
 * with made-up drives.
 *
 * MMC profiles (MMC-5 table 89): 0x08-0x0a CD, 0x10-0x2b DVD, 0x40-0x43
 * BD; random-access rewritables are 0x12 DVD-RAM, 0x13 DVD-RW restricted
 * overwrite, 0x1a DVD+RW and 0x43 BD-RE; 0xffff is libburn's stdio file.
 */
#include "config.h"

#include <stdio.h>

#include "burn_private.h"

bool
oi_profile_is_cd(int profile)
{
	return profile >= 0x08 && profile <= 0x0a;
}

bool
oi_profile_is_bd(int profile)
{
	return profile >= 0x40 && profile <= 0x43;
}

bool
oi_profile_is_overwritable(int profile)
{
	return profile == 0x12 || profile == 0x13 || profile == 0x1a ||
	    profile == 0x43;
}

const char *
oi_burn_media_name(const struct optimg_burner_info *di)
{
	return di->media[0] != '\0' ? di->media : "media";
}

static void
human(uint64_t bytes, char *out, size_t len)
{
	if (bytes >= 1000000000)
		snprintf(out, len, "%.2f GB", (double)bytes / 1e9);
	else
		snprintf(out, len, "%.1f MB", (double)bytes / 1e6);
}

static int
check_append(const struct optimg_burner_info *di, struct optimg_error *err)
{
	const char *media = oi_burn_media_name(di);

	if (di->pseudo)
		return OPTIMG_OK;	/* after the file's end */
	if (oi_profile_is_overwritable(di->profile)) {
		oi_set_error(err, OPTIMG_EUNSUPP, "the %s in '%s' has no "
		    "sessions to add to", media, di->address);
		return oi_error_about(err, OPTIMG_OPTION_APPEND);
	}
	if (di->state != OPTIMG_MEDIA_APPENDABLE) {
		oi_set_error(err, OPTIMG_EINVAL, "the %s in '%s' is %s, not "
		    "appendable", media, di->address,
		    optimg_media_state_name(di->state));
		return oi_error_about(err, OPTIMG_OPTION_APPEND);
	}
	return OPTIMG_OK;
}

int
oi_burn_check_media(const struct optimg_burn_plan *p,
    const struct optimg_burn_opts *o, const struct optimg_burner_info *di,
    struct optimg_error *err)
{
	const char *adr = di->address, *media = oi_burn_media_name(di);
	const char *state = optimg_media_state_name(di->state);

	if (di->state == OPTIMG_MEDIA_NONE ||
	    di->state == OPTIMG_MEDIA_UNSUITABLE)
		return oi_set_error(err, OPTIMG_EINVAL, "no writable media in "
		    "'%s' (%s, %s)", adr, media, state);
	if (p->audio && !di->pseudo && !oi_profile_is_cd(di->profile))
		return oi_set_error(err, OPTIMG_EUNSUPP, "audio tracks need a "
		    "CD; '%s' holds a %s", adr, media);
	if (o->append)
		return check_append(di, err);
	if (di->state == OPTIMG_MEDIA_BLANK)
		return OPTIMG_OK;
	if (!o->blank) {
		oi_set_error(err, OPTIMG_EINVAL, "the %s in '%s' is not blank "
		    "(%s)", media, adr, state);
		return oi_error_remedy(err, OPTIMG_OPTION_BLANK,
		    OPTIMG_OPTION_APPEND);
	}
	if (!di->erasable && !oi_profile_is_overwritable(di->profile))
		return oi_set_error(err, OPTIMG_EINVAL, "the %s in '%s' is %s "
		    "and cannot be blanked", media, adr, state);
	return OPTIMG_OK;
}

int
oi_burn_check_size(const struct optimg_burn_plan *p, uint64_t avail,
    const struct optimg_burner_info *di, struct optimg_error *err)
{
	char need_s[32], have_s[32];

	if (avail == 0 || avail >= p->bytes)
		return OPTIMG_OK;	/* 0: the drive does not say */
	human(p->bytes, need_s, sizeof(need_s));
	human(avail, have_s, sizeof(have_s));
	return oi_set_error(err, OPTIMG_ERANGE, "the image needs %llu bytes "
	    "(%s) but the %s in '%s' has %llu bytes (%s) free",
	    (unsigned long long)p->bytes, need_s, oi_burn_media_name(di),
	    di->address, (unsigned long long)avail, have_s);
}
