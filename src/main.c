/*
 * main.c — the entry point: sets up the storage library for the process
 * (before any connection), then hands the command line to the CLI
 * dispatcher.
 */
#include <stdio.h>

#include "cli/cli.h"
#include "db/db.h"

int main(int argc, char **argv)
{
	if (db_global_init() != RC_OK)
		fprintf(stderr, "finsam: databasbiblioteket kunde inte ställas in för servern "
		                "(det fungerar, men långsammare).\n");
	return cli_main(argc, argv);
}
