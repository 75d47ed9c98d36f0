# libFuzzer support (-DBITSPARSE_FUZZ=ON, clang only): an instrumented copy of
# the library and a helper that turns a source file into a fuzz target.
if(NOT CMAKE_C_COMPILER_ID MATCHES "Clang")
  message(FATAL_ERROR "BITSPARSE_FUZZ needs clang with libFuzzer: configure with CC=clang "
                      "(Debian 12: packages clang and libclang-rt-14-dev)")
endif()

# Sanitizers of every fuzz build: a memory error, undefined behaviour or a leak
# is a finding; UBSan does not recover, so the fuzzer stops on the first report.
set(BITSPARSE_FUZZ_SANITIZERS address,undefined)
set(BITSPARSE_FUZZ_IGNORELIST ${CMAKE_CURRENT_LIST_DIR}/fuzz-coverage-ignorelist.txt)
set(BITSPARSE_FUZZ_COMPILE_FLAGS -fno-omit-frame-pointer -fno-sanitize-recover=all -g
    -fsanitize-coverage-ignorelist=${BITSPARSE_FUZZ_IGNORELIST})

include(CheckCSourceCompiles)
set(CMAKE_REQUIRED_FLAGS "-fsanitize=fuzzer,${BITSPARSE_FUZZ_SANITIZERS}")
check_c_source_compiles([[
#include <stddef.h>
#include <stdint.h>
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) { (void)data; (void)size; return 0; }
]] BITSPARSE_HAVE_LIBFUZZER)
unset(CMAKE_REQUIRED_FLAGS)
if(NOT BITSPARSE_HAVE_LIBFUZZER)
  message(FATAL_ERROR "clang cannot link -fsanitize=fuzzer: install libclang-rt-14-dev "
                      "(bash .ci/install-deps does)")
endif()

# bitsparse_fuzz_library(name sources...): the library built with coverage
# instrumentation for libFuzzer (fuzzer-no-link) and the sanitizers. It links
# what bitsparse_lib links and embeds the built-in detection rules as it does.
function(bitsparse_fuzz_library name)
  add_library(${name} STATIC ${ARGN})
  # an edit of the ignorelist changes the objects, not their command lines
  set_property(SOURCE ${ARGN} APPEND PROPERTY OBJECT_DEPENDS ${BITSPARSE_FUZZ_IGNORELIST})
  target_include_directories(${name} PUBLIC ${PROJECT_SOURCE_DIR}/include PRIVATE ${PROJECT_SOURCE_DIR}/src)
  target_compile_definitions(${name} PRIVATE _POSIX_C_SOURCE=200809L)
  get_target_property(library_links bitsparse_lib LINK_LIBRARIES)
  target_link_libraries(${name} PUBLIC ${library_links})
  if(EXISTS ${PROJECT_SOURCE_DIR}/src/detect/default_rules.yaml)
    bitsparse_embed_file(${name} ${PROJECT_SOURCE_DIR}/src/detect/default_rules.yaml detect_default_rules_yaml)
  endif()
  bitsparse_set_warnings(${name})
  target_compile_options(${name} PRIVATE -fsanitize=fuzzer-no-link,${BITSPARSE_FUZZ_SANITIZERS}
                         ${BITSPARSE_FUZZ_COMPILE_FLAGS})
endfunction()

# bitsparse_fuzz_target(name source library): a libFuzzer executable.
function(bitsparse_fuzz_target name source library)
  add_executable(${name} ${source})
  set_property(SOURCE ${source} APPEND PROPERTY OBJECT_DEPENDS ${BITSPARSE_FUZZ_IGNORELIST})
  target_include_directories(${name} PRIVATE ${PROJECT_SOURCE_DIR}/src ${CMAKE_CURRENT_SOURCE_DIR})
  target_compile_definitions(${name} PRIVATE _POSIX_C_SOURCE=200809L)
  target_link_libraries(${name} PRIVATE ${library})
  bitsparse_set_warnings(${name})
  target_compile_options(${name} PRIVATE -fsanitize=fuzzer,${BITSPARSE_FUZZ_SANITIZERS}
                         ${BITSPARSE_FUZZ_COMPILE_FLAGS})
  target_link_options(${name} PRIVATE -fsanitize=fuzzer,${BITSPARSE_FUZZ_SANITIZERS})
endfunction()
