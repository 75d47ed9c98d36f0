# The installed libbitsparse, shared and static, built from bitsparse_objects
# (compiled with hidden visibility; see the top-level CMakeLists.txt).
#
# Shared: only the functions listed in cmake/libbitsparse.map are exported,
# under the version node BITSPARSE_<major>.<minor>. While the version is 0.x,
# every minor version may change the ABI (public structs gain fields), so the
# soname carries major.minor: libbitsparse.so.0.1.
#
# Static: the objects are linked into one relocatable object whose hidden
# symbols are then made local (objcopy --localize-hidden), so a program that
# links libbitsparse.a sees the same bp_* API as with the shared library and
# none of the internal names (ese_*, carve_*, bits_* ...) that could clash
# with its own.

set(BITSPARSE_SOVERSION ${PROJECT_VERSION_MAJOR}.${PROJECT_VERSION_MINOR})
set(BITSPARSE_EXPORT_MAP ${PROJECT_SOURCE_DIR}/cmake/libbitsparse.map)

add_library(bitsparse_shared SHARED $<TARGET_OBJECTS:bitsparse_objects>)
set_target_properties(bitsparse_shared PROPERTIES
  OUTPUT_NAME bitsparse
  VERSION ${PROJECT_VERSION}
  SOVERSION ${BITSPARSE_SOVERSION}
  LINK_DEPENDS ${BITSPARSE_EXPORT_MAP})
target_link_libraries(bitsparse_shared PRIVATE PkgConfig::YAML PkgConfig::EVTX PkgConfig::ARCHIVE ${CMAKE_DL_LIBS} Threads::Threads)
target_link_options(bitsparse_shared PRIVATE "LINKER:--version-script=${BITSPARSE_EXPORT_MAP}")
if(NOT BITSPARSE_SANITIZE)
  target_link_options(bitsparse_shared PRIVATE "LINKER:--no-undefined")
endif()
bitsparse_set_warnings(bitsparse_shared)

find_program(BITSPARSE_LD NAMES ld ld.bfd REQUIRED)
find_program(BITSPARSE_OBJCOPY NAMES objcopy REQUIRED)
set(BITSPARSE_STATIC_ARCHIVE ${PROJECT_BINARY_DIR}/libbitsparse.a)
set(combined ${PROJECT_BINARY_DIR}/CMakeFiles/bitsparse_static.dir/bitsparse.o)
add_custom_command(
  OUTPUT ${BITSPARSE_STATIC_ARCHIVE}
  COMMAND ${CMAKE_COMMAND} -E make_directory ${PROJECT_BINARY_DIR}/CMakeFiles/bitsparse_static.dir
  COMMAND ${BITSPARSE_LD} -r -o ${combined} $<TARGET_OBJECTS:bitsparse_objects>
  COMMAND ${BITSPARSE_OBJCOPY} --localize-hidden ${combined}
  COMMAND ${CMAKE_COMMAND} -E rm -f ${BITSPARSE_STATIC_ARCHIVE}
  COMMAND ${CMAKE_AR} qc ${BITSPARSE_STATIC_ARCHIVE} ${combined}
  COMMAND ${CMAKE_RANLIB} ${BITSPARSE_STATIC_ARCHIVE}
  DEPENDS bitsparse_objects $<TARGET_OBJECTS:bitsparse_objects>
  COMMENT "Linking libbitsparse.a (internal symbols made local)"
  COMMAND_EXPAND_LISTS
  VERBATIM)
add_custom_target(bitsparse_static ALL DEPENDS ${BITSPARSE_STATIC_ARCHIVE})
