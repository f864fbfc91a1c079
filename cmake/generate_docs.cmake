# Writes pgreach(1) and the bash and zsh completions from the built binary's own help, so
# that they list exactly the commands and options the option tables declare (cmake -P,
# run by the build after pgreach links).
#   -DPGREACH=path/to/pgreach -DHELP2MAN=path/to/help2man -DGZIP=path/to/gzip
#   -DSRC=source dir -DOUT=output dir
set(commands diagnose checks sweep audit serve explain help)

function(run_help out)
  execute_process(COMMAND ${PGREACH} ${ARGN} OUTPUT_VARIABLE text RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "${PGREACH} ${ARGN}: exit ${rc}")
  endif()
  set(${out} "${text}" PARENT_SCOPE)
endfunction()

# roff: a backslash is \e, and a line may not start with '.' or '\''.
function(roff_escape out text)
  string(REPLACE "\\" "\\e" text "${text}")
  string(REGEX REPLACE "(^|\n)([.'])" "\\1\\\\&\\2" text "${text}")
  set(${out} "${text}" PARENT_SCOPE)
endfunction()

# --- completions: each command's options, from its --help ---
set(bash_cases "")
set(zsh_cases "")
foreach(cmd ${commands})
  if(cmd STREQUAL "help")
    set(opts "${commands}")
  else()
    run_help(text ${cmd} --help)
    # Option lines only ("  -o [ --output ] arg", "  --config arg"), not options named
    # in a description.
    string(REGEX MATCHALL "\n  +(-[a-zA-Z]|--[a-z][a-z0-9-]*)( \\[ --[a-z][a-z0-9-]* \\])?" found "${text}")
    set(opts "")
    foreach(o ${found})
      string(REGEX REPLACE "[][\n]" " " o "${o}")
      separate_arguments(o UNIX_COMMAND "${o}")
      list(APPEND opts ${o})
    endforeach()
    list(REMOVE_DUPLICATES opts)
    list(SORT opts)
  endif()
  string(REPLACE ";" " " words "${opts}")
  string(APPEND bash_cases "    ${cmd}) opts=\"${words}\" ;;\n")
  string(APPEND zsh_cases "    ${cmd}) opts=(${words}) ;;\n")
endforeach()
string(REPLACE ";" " " command_words "${commands}")
set(COMMAND_WORDS "${command_words}")
set(BASH_CASES "${bash_cases}")
set(ZSH_CASES "${zsh_cases}")
configure_file(${SRC}/contrib/completion/pgreach.bash.in ${OUT}/pgreach.bash-completion @ONLY)
configure_file(${SRC}/contrib/completion/_pgreach.in ${OUT}/_pgreach @ONLY)

# --- the man page: help2man on `pgreach --help`, each command's help as a section ---
if(HELP2MAN)
  set(include "[DESCRIPTION]\n")
  string(APPEND include "pgreach walks the path a PostgreSQL connection takes (DNS, TCP, TLS, PostgreSQL, "
         "and the cloud configuration) and reports the first broken hop, the evidence and the fix.\n")
  string(APPEND include "[COMMANDS]\n")
  foreach(cmd diagnose checks sweep audit serve explain)
    run_help(text ${cmd} --help)
    roff_escape(text "${text}")
    string(APPEND include ".SS \"pgreach ${cmd}\"\n.nf\n${text}.fi\n")
  endforeach()
  string(APPEND include "[FILES]\n.TP\n.I /etc/pgreach/fleet.ini\n"
         "the configuration the shipped systemd unit reads (an example is in "
         "/usr/share/doc/pgreach/examples).\n.TP\n.I /var/lib/pgreach\nwhere the unit writes its reports.\n")
  string(APPEND include "[SEE ALSO]\n.BR psql (1),\n.BR systemd.timer (5)\n")
  file(WRITE ${OUT}/pgreach.h2m "${include}")
  execute_process(
    COMMAND ${HELP2MAN} --no-info --section=1 --include=${OUT}/pgreach.h2m
            "--name=find where the private path to managed PostgreSQL breaks"
            --output=${OUT}/pgreach.1 ${PGREACH}
    RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "help2man failed: ${rc}")
  endif()
  # Debian wants manual pages gzipped without a name or time stamp (lintian).
  execute_process(COMMAND ${GZIP} -9nf ${OUT}/pgreach.1 RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "gzip failed: ${rc}")
  endif()
endif()
