# man.cmake - writes OUT_DIR/liia-bench.1 and OUT_DIR/liia-bench-<command>.1
# from the text of 'BIN --help' and 'BIN <command> --help'.
#   cmake -DBIN=path/liia-bench -DOUT_DIR=dir -DVERSION=x.y.z -P man.cmake
# Each page: NAME (the command's line in the top-level command list),
# SYNOPSIS (the help's first paragraph, "usage: " removed), DESCRIPTION
# (the rest, verbatim in no-fill mode), SEE ALSO.  Help text is UTF-8;
# the coding line lets man(1) (via preconv) and groff -k read it.
cmake_minimum_required(VERSION 3.25)

function(help_text out)
  execute_process(COMMAND "${BIN}" ${ARGN} OUTPUT_VARIABLE text
                  ERROR_VARIABLE err RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0 OR text STREQUAL "")
    message(FATAL_ERROR "man.cmake: '${BIN} ${ARGN}' failed (${rc}): ${err}")
  endif()
  set(${out} "${text}" PARENT_SCOPE)
endfunction()

# Escapes text for roff: backslashes, hyphens (so options copy and search
# as ASCII '-'), and '.' or "'" at the start of a line (control lines).
function(roff_escape out text)
  string(REPLACE "\\" "\\e" text "${text}")
  string(REPLACE "-" "\\-" text "${text}")
  string(REGEX REPLACE "(^|\n)([.'])" "\\1\\\\&\\2" text "${text}")
  set(${out} "${text}" PARENT_SCOPE)
endfunction()

# Splits help text into the synopsis (first paragraph without "usage: " and
# the matching indent of its continuation lines) and the rest.
function(split_help text synopsis_out rest_out)
  string(FIND "${text}" "\n\n" cut)
  if(cut LESS 0)
    message(FATAL_ERROR "man.cmake: help text has no blank line after its usage:\n${text}")
  endif()
  string(SUBSTRING "${text}" 0 ${cut} synopsis)
  math(EXPR cut "${cut} + 2")
  string(SUBSTRING "${text}" ${cut} -1 rest)
  if(NOT synopsis MATCHES "^usage: ")
    message(FATAL_ERROR "man.cmake: help text does not start with 'usage: ':\n${text}")
  endif()
  string(REGEX REPLACE "^usage: " "" synopsis "${synopsis}")
  string(REGEX REPLACE "\n       " "\n" synopsis "${synopsis}")
  string(STRIP "${rest}" rest)
  set(${synopsis_out} "${synopsis}" PARENT_SCOPE)
  set(${rest_out} "${rest}" PARENT_SCOPE)
endfunction()

# Writes one page from the help text of 'source'.  see_also is roff already.
function(write_page name summary text see_also source)
  split_help("${text}" synopsis rest)
  string(TOUPPER "${name}" title)
  set(file_name "${name}")
  foreach(v name summary synopsis rest title)
    roff_escape(${v} "${${v}}")
  endforeach()
  file(WRITE "${OUT_DIR}/${file_name}.1"
    ".\\\" -*- coding: UTF-8 -*-\n"
    ".\\\" Written by cli/man.cmake from '${source}'; edit the help text, not this.\n"
    ".TH ${title} 1 \"\" \"liia-bench ${VERSION}\" \"liia-bench manual\"\n"
    ".SH NAME\n${name} \\- ${summary}\n"
    ".SH SYNOPSIS\n.nf\n${synopsis}\n.fi\n"
    ".SH DESCRIPTION\n.nf\n${rest}\n.fi\n"
    ".SH SEE ALSO\n${see_also}\n")
endfunction()

file(MAKE_DIRECTORY "${OUT_DIR}")
file(GLOB stale "${OUT_DIR}/*.1")
if(stale)
  file(REMOVE ${stale})
endif()

help_text(top --help)
# The command table: "  name   summary" lines after "commands:".
string(REGEX MATCH "\ncommands:\n(  [^\n]+\n)+" table "${top}")
# A ';' would split the CMake list below: carried as a placeholder.
string(REPLACE ";" "@semicolon@" table "${table}")
string(REGEX MATCHALL "\n  [a-z0-9-]+ +[^\n]+" rows "${table}")
if(NOT rows)
  message(FATAL_ERROR "man.cmake: no command list in '${BIN} --help':\n${top}")
endif()
set(pages "")
foreach(row IN LISTS rows)
  string(REGEX REPLACE "^\n  ([a-z0-9-]+) +(.+)$" "\\1" cmd "${row}")
  string(REGEX REPLACE "^\n  ([a-z0-9-]+) +(.+)$" "\\2" summary "${row}")
  string(REPLACE "@semicolon@" ";" summary "${summary}")
  help_text(text ${cmd} --help)
  write_page("liia-bench-${cmd}" "${summary}" "${text}" ".BR liia\\-bench (1)"
             "liia-bench ${cmd} --help")
  string(REPLACE "-" "\\-" roff_cmd "${cmd}")
  string(APPEND pages ".BR liia\\-bench\\-${roff_cmd} (1),\n")
endforeach()
string(REGEX REPLACE ",\n$" "" pages "${pages}")
# The top-level page is written last: it is the build's OUTPUT, so a
# failure above leaves it missing and the step reruns.
write_page("liia-bench" "Pan-London children's services data platform and benchmarking engine"
           "${top}" "${pages}" "liia-bench --help")
