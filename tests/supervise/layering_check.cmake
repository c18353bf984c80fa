# Fails when any libsupervise file mentions libhost headers or simdjson.
# Usage: cmake -DDIR=<libsupervise dir> -P layering_check.cmake
file(GLOB_RECURSE files ${DIR}/*.hpp ${DIR}/*.cpp ${DIR}/CMakeLists.txt)
set(bad "")
foreach(f ${files})
  file(READ ${f} text)
  if(text MATCHES "#include <leanbatch/host" OR text MATCHES "leanbatch/host/" OR text MATCHES "simdjson")
    list(APPEND bad ${f})
  endif()
endforeach()
if(bad)
  message(FATAL_ERROR "libsupervise must not depend on libhost or simdjson: ${bad}")
endif()
message(STATUS "checked ${DIR}: no libhost or simdjson references")
