// The text of `groundcontrol --help`.

export const HELP = `Usage:
  groundcontrol [CONFIG]                 run the processes in CONFIG
  groundcontrol --check [--json] [--strict] [--platform P | --kill-timeout D] [CONFIG]
                                         validate CONFIG and print its start/stop plan
                                         and its worst-case shutdown time;
                                         --strict also checks that its users, groups,
                                         programs and directories exist in this image;
                                         --platform fly|docker|kubernetes (which kill
                                         after 5s, 10s, 30s) or --kill-timeout D (such
                                         as 25s) fails when the shutdown may not fit
  groundcontrol --print-schema           print the JSON Schema of the config file
  groundcontrol status [--json] [--ready] [--socket PATH]
                                         ask the running Ground Control what it is
                                         doing; --ready exits 1 unless all is ready
  groundcontrol --version | --help

CONFIG defaults to $GROUNDCONTROL_CONFIG, then ./groundcontrol.toml.
"--" ends the options (for a config path that starts with "-").

Signals: SIGTERM, SIGINT and SIGQUIT shut down gracefully (a second one cuts
stop timeouts short); SIGHUP, SIGUSR1 and SIGUSR2 are passed on to every
running process whose forward-signals lists them (all three by default).
BREAK_GLASS=1 starts nothing and waits, for repairs.

Exit status: 0 after a graceful shutdown; the failing command's status when a
pre or run command failed; 1 for other startup failures; 2 for usage and
config errors, and for a shutdown that may outlast the kill timeout.
`;
