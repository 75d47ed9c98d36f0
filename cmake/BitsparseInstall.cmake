# What `cmake --install` puts in place (GNUInstallDirs), and the Debian
# package `cpack -G DEB` makes of it:
#   bin/bitsparse
#   lib/libbitsparse.so.X.Y.Z (+ soname and dev links), lib/libbitsparse.a
#   include/bitsparse/*.h
#   lib/pkgconfig/bitsparse.pc, lib/cmake/bitsparse/ (find_package(bitsparse CONFIG))
#   share/man/man1/bitsparse.1, share/man/man3/libbitsparse.3
#   share/bash-completion/completions/bitsparse
# The .pc and CMake files locate the install by their own position, so an
# install moved elsewhere (DESTDIR, an unpacked .deb) still works.
include(CMakePackageConfigHelpers)

install(TARGETS bitsparse RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(TARGETS bitsparse_shared
  LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR} NAMELINK_SKIP)
install(TARGETS bitsparse_shared
  LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR} NAMELINK_ONLY)
install(FILES ${BITSPARSE_STATIC_ARCHIVE} DESTINATION ${CMAKE_INSTALL_LIBDIR})
install(DIRECTORY include/bitsparse DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}
  FILES_MATCHING PATTERN "*.h")
# man pages: the version in their header comes from the project version
configure_file(docs/man/bitsparse.1.in ${PROJECT_BINARY_DIR}/man/bitsparse.1 @ONLY)
configure_file(docs/man/libbitsparse.3.in ${PROJECT_BINARY_DIR}/man/libbitsparse.3 @ONLY)
install(FILES ${PROJECT_BINARY_DIR}/man/bitsparse.1 DESTINATION ${CMAKE_INSTALL_MANDIR}/man1)
install(FILES ${PROJECT_BINARY_DIR}/man/libbitsparse.3 DESTINATION ${CMAKE_INSTALL_MANDIR}/man3)
install(FILES src/cli/bitsparse.bash-completion
  DESTINATION ${CMAKE_INSTALL_DATADIR}/bash-completion/completions RENAME bitsparse)

# pkg-config: the private dependencies are for static linking only.
set(BITSPARSE_PKGCONFIG_DIR ${CMAKE_INSTALL_LIBDIR}/pkgconfig)
file(RELATIVE_PATH BITSPARSE_PC_TO_PREFIX /root/${BITSPARSE_PKGCONFIG_DIR} /root)
string(REGEX REPLACE "/$" "" BITSPARSE_PC_TO_PREFIX "${BITSPARSE_PC_TO_PREFIX}")
configure_file(cmake/bitsparse.pc.in ${PROJECT_BINARY_DIR}/bitsparse.pc @ONLY)
install(FILES ${PROJECT_BINARY_DIR}/bitsparse.pc DESTINATION ${BITSPARSE_PKGCONFIG_DIR})

# CMake package: bitsparse::bitsparse (shared) and bitsparse::bitsparse_static.
set(BITSPARSE_CMAKE_DIR ${CMAKE_INSTALL_LIBDIR}/cmake/bitsparse)
file(RELATIVE_PATH BITSPARSE_CMAKE_TO_PREFIX /root/${BITSPARSE_CMAKE_DIR} /root)
string(REGEX REPLACE "/$" "" BITSPARSE_CMAKE_TO_PREFIX "${BITSPARSE_CMAKE_TO_PREFIX}")
set(BITSPARSE_SHARED_FILE libbitsparse.so.${PROJECT_VERSION})
set(BITSPARSE_SONAME libbitsparse.so.${BITSPARSE_SOVERSION})
set(BITSPARSE_STATIC_DEPENDENCIES ${YAML_LIBRARIES} ${EVTX_LIBRARIES} ${ARCHIVE_LIBRARIES} ${CMAKE_DL_LIBS} Threads::Threads)
list(REMOVE_DUPLICATES BITSPARSE_STATIC_DEPENDENCIES)
configure_file(cmake/bitsparse-config.cmake.in ${PROJECT_BINARY_DIR}/bitsparse-config.cmake @ONLY)
# 0.x: a different minor version is a different ABI (see BitsparseLibrary.cmake)
write_basic_package_version_file(${PROJECT_BINARY_DIR}/bitsparse-config-version.cmake
  COMPATIBILITY SameMinorVersion)
install(FILES ${PROJECT_BINARY_DIR}/bitsparse-config.cmake ${PROJECT_BINARY_DIR}/bitsparse-config-version.cmake
  DESTINATION ${BITSPARSE_CMAKE_DIR})

# cpack -G DEB: one package with the tool, the library and its development
# files; dpkg-shlibdeps (dpkg-dev) computes Depends from what the binaries link.
set(CPACK_PACKAGE_NAME bitsparse)
set(CPACK_PACKAGE_VENDOR "bitsparse")
set(CPACK_PACKAGE_CONTACT "bitsparse maintainers <bitsparse@example.org>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "Windows BITS queue parser for forensic examiners (tool and library)")
set(CPACK_PACKAGE_DESCRIPTION
  "bitsparse reads Windows Background Intelligent Transfer Service queues (qmgr.db ESE databases, "
  "legacy qmgr0/1.dat state files, job and file blobs, Bits-Client event logs), recovers deleted "
  "jobs and files, and checks every record against MITRE ATT&CK T1197 detection rules.")
string(CONCAT CPACK_PACKAGE_DESCRIPTION ${CPACK_PACKAGE_DESCRIPTION})
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_RESOURCE_FILE_LICENSE ${PROJECT_SOURCE_DIR}/LICENSE)
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION utils)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
# libtsk is loaded with dlopen (src/input/tsk_loader.h), so dpkg-shlibdeps cannot see it
set(CPACK_DEBIAN_PACKAGE_DEPENDS "libtsk19")
set(CPACK_DEBIAN_PACKAGE_GENERATE_SHLIBS ON)
set(CPACK_DEBIAN_PACKAGE_HOMEPAGE "https://example.org/bitsparse")
set(CPACK_STRIP_FILES ON)
set(CPACK_GENERATOR DEB)
include(CPack)
