# Runs `leanbatch check FILE` and compares with the expected verdict:
#   accept → exit 0; reject → exit 1; decline → exit 2; any → must not crash
#   (exit < 64 or 130).
# KIND (optional): the expected error kind must appear in the rows.
# OPTS (optional): further options of `leanbatch check`, separated by spaces.
separate_arguments(opts UNIX_COMMAND "${OPTS}")
execute_process(COMMAND ${LEANBATCH} check --in-process ${opts} ${FILE}
                RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(EXPECT STREQUAL "accept" AND NOT rc EQUAL 0)
  message(FATAL_ERROR "expected accept (exit 0), got exit ${rc}\n${out}\n${err}")
endif()
if(EXPECT STREQUAL "reject" AND NOT rc EQUAL 1)
  message(FATAL_ERROR "expected reject (exit 1), got exit ${rc}\n${out}\n${err}")
endif()
if(EXPECT STREQUAL "decline" AND NOT rc EQUAL 2)
  message(FATAL_ERROR "expected decline (exit 2), got exit ${rc}\n${out}\n${err}")
endif()
if(NOT rc MATCHES "^[0-9]+$" OR (rc GREATER 3 AND NOT rc EQUAL 64))
  message(FATAL_ERROR "leanbatch did not end with a verdict: ${rc}\n${out}\n${err}")
endif()
if(KIND AND NOT out MATCHES "\"kind\":\"${KIND}\"")
  message(FATAL_ERROR "expected an error of kind ${KIND}\n${out}")
endif()
