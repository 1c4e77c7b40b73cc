# The compiler reaches the runtimes only through the shared header layer (include/spine/, target spine_abi):
# - no file under compiler/ includes a file of nicrt/ or hostrt/ by path ("../../nicrt/...", "hostrt/...");
# - no phase of the compiler includes a runtime's own headers at all (spine/host/, spine/nicrt/, image/), except
#   compiler/run/: what spinec adds on top of the compiler library (an in-process NIC for --run, signed image
#   output), which links spine_nicrt and spine_image as libraries and includes their public headers by name;
# - no CMake file under compiler/ puts a nicrt/ or hostrt/ directory on an include path.
# Run as: cmake -DSOURCE_DIR=<repo> -P check_compiler_includes.cmake
file(GLOB_RECURSE sources "${SOURCE_DIR}/compiler/*.h" "${SOURCE_DIR}/compiler/*.cpp" "${SOURCE_DIR}/compiler/*.c")
set(violations "")
foreach(source IN LISTS sources)
  file(STRINGS "${source}" lines REGEX "^[ \t]*#[ \t]*include")
  foreach(line IN LISTS lines)
    string(REGEX REPLACE "^[^\"<]*[\"<]([^\">]*).*$" "\\1" included "${line}")
    set(runtime_header FALSE)
    if(included MATCHES "^(spine/host|spine/nicrt|image)/")
      set(runtime_header TRUE)
    endif()
    if(included MATCHES "^(nicrt|hostrt)/" OR included MATCHES "\\.\\./(.*/)?(nicrt|hostrt)/" OR (runtime_header AND NOT source MATCHES "/compiler/run/"))
      file(RELATIVE_PATH name "${SOURCE_DIR}" "${source}")
      string(APPEND violations "  ${name}: ${line}\n")
    endif()
  endforeach()
endforeach()
file(GLOB_RECURSE cmake_files "${SOURCE_DIR}/compiler/CMakeLists.txt" "${SOURCE_DIR}/compiler/*.cmake")
foreach(cmake_file IN LISTS cmake_files)
  file(STRINGS "${cmake_file}" lines REGEX "include_directories")
  foreach(line IN LISTS lines)
    if(line MATCHES "(nicrt|hostrt)/")
      file(RELATIVE_PATH name "${SOURCE_DIR}" "${cmake_file}")
      string(APPEND violations "  ${name}: ${line}\n")
    endif()
  endforeach()
endforeach()
if(violations)
  message(FATAL_ERROR "compiler/ reaches into nicrt/ or hostrt/ instead of the shared headers "
                      "(include/spine/, docs/abi.md):\n${violations}")
endif()
list(LENGTH sources count)
message(STATUS "compiler/: ${count} files, none includes nicrt/ or hostrt/ (compiler/run/: public headers by name)")
