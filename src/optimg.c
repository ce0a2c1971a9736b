/*
 * optimg.c - main(): global options and the command table.
 */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"

bool cli_quiet;
bool cli_json_output;
const char *cli_command_name;

const struct cli_command cli_commands[] = {
	{ "info",	"show an image's format, sessions, tracks and metadata",
	    cmd_info },
	{ "convert",	"convert between ISO and BIN/CUE, merge or split bins",
	    cmd_convert },
	{ "ls",		"list the files in an image's ISO 9660 or UDF file system",
	    cmd_ls },
	{ "extract",	"copy files out of an image's file system",
	    cmd_extract },
	{ "cat",	"write one file from an image to standard output",
	    cmd_cat },
	{ "mount",	"show an image as files: its file system, .iso, "
	    "bins, WAVs (FUSE)", cmd_mount },
	{ "umount",	"unmount what 'optimg mount' mounted", cmd_umount },
	{ "mkiso",	"make an ISO 9660 image (Rock Ridge, Joliet, bootable)",
	    cmd_mkiso },
	{ "mklive",	"make a live ISO (BIOS+UEFI, CD+USB) or remaster one",
	    cmd_mklive },
	{ "drives",	"list optical drives and the media they hold",
	    cmd_drives },
	{ "burn",	"burn an image or a folder to CD/DVD/BD and verify it",
	    cmd_burn },
	{ "blank",	"blank a CD-RW or DVD-RW",
	    cmd_blank },
	{ "format",	"format a DVD-RW, DVD+RW, DVD-RAM or BD-RE",
	    cmd_format },
	{ "write",	"write an image to a USB stick or SD card and verify it",
	    cmd_write },
	{ "rip",	"dump a CD to BIN/CUE or CloneCD (subchannel), a disc "
	    "to ISO, resumably", cmd_rip },
	{ "verify",	"check an image's hashes, EDC/ECC and a Redump DAT",
	    cmd_verify },
	{ NULL, NULL, NULL }
};

static void
print_help(FILE *out)
{
	const struct cli_command *c;

	fprintf(out,
	    "usage: optimg [--version] [--help] COMMAND [--raw] [ARGS]\n"
	    "\n"
	    "optimg reads, converts and writes optical disc images: ISO 9660\n"
	    "images (.iso) and raw images with cue sheets (.bin + .cue), and\n"
	    "CHD, CSO/ZSO, NRG, CDI, MDS, GDI, CCD and TOC images; any of them\n"
	    "may be gzip, xz, zstd or ECM compressed (.gz .xz .zst .ecm).\n"
	    "Formats are recognised from their content, not their names.\n"
	    "\n"
	    "Commands:\n");
	for (c = cli_commands; c->name != NULL; c++)
		fprintf(out, "  %-10s %s\n", c->name, c->summary);
	fprintf(out,
	    "\n"
	    "Names and strings read from images are shown quoted when they hold\n"
	    "control characters or invalid UTF-8; --raw (any command, output\n"
	    "not a terminal) prints them as stored.\n"
	    "\n"
	    "Run 'optimg COMMAND --help' for a command's options, or see\n"
	    "optimg(1).  Exit status: 0 success, 1 failure, 2 usage error.\n");
}

static const struct cli_command *
find_command(const char *name)
{
	const struct cli_command *c;

	for (c = cli_commands; c->name != NULL; c++)
		if (strcmp(c->name, name) == 0)
			return c;
	return NULL;
}

/* --raw applies to every command: it is taken out before they parse. */
static void
take_raw(int *argc, char **argv)
{
	int i, j;

	for (i = j = 1; i < *argc; i++) {
		if (strcmp(argv[i], "--") == 0) {
			while (i < *argc)
				argv[j++] = argv[i++];
			break;
		}
		if (strcmp(argv[i], "--raw") == 0)
			cli_raw = true;
		else
			argv[j++] = argv[i];
	}
	argv[j] = NULL;
	*argc = j;
}

int
main(int argc, char **argv)
{
	const struct cli_command *cmd;

	if (argc < 2) {
		print_help(stderr);
		return EXIT_USAGE;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
	    strcmp(argv[1], "help") == 0) {
		if (argc > 2 && (cmd = find_command(argv[2])) != NULL) {
			char *hargv[] = { argv[2], "--help", NULL };
			cli_command_name = cmd->name;
			return cmd->run(2, hargv);
		}
		print_help(stdout);
		return 0;
	}
	if (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "-V") == 0) {
		printf("optimg %s (liboptimg %s)\n", PACKAGE_VERSION,
		    optimg_version());
		return 0;
	}
	if (argv[1][0] == '-') {
		fprintf(stderr, "optimg: unknown option '%s'\n", argv[1]);
		fprintf(stderr, "Try 'optimg --help'.\n");
		return EXIT_USAGE;
	}
	cmd = find_command(argv[1]);
	if (cmd == NULL) {
		fprintf(stderr, "optimg: '%s' is not an optimg command\n",
		    argv[1]);
		fprintf(stderr, "Try 'optimg --help' for the list.\n");
		return EXIT_USAGE;
	}
	cli_command_name = cmd->name;
	take_raw(&argc, argv);
	cli_install_signal_handlers();
	optind = 1;
	opterr = 0;
	return cmd->run(argc - 1, argv + 1);
}
