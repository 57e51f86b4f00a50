/*
 * cli.h — the command line: one table of commands that both dispatches and
 * prints `finsam help`.
 */
#ifndef FINSAM_CLI_H
#define FINSAM_CLI_H

/* Runs the command named by argv[1]; returns the process exit code
 * (0 success, 1 failure, 2 usage error). */
int cli_main(int argc, char **argv);

#endif
