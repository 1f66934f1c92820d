# Which CAF, spdlog, hiredis and libevent the daemon links, and how.
#
# A node that mostly waits pays in resident memory for every page of code it touches, and the
# kernel maps file-backed code 64 kB around each page touched (fault-around). Debian's shared
# CAF, libstdc++, spdlog and fmt come to about 4 MB of that before any of redkeep's code. With
# REDKEEP_LEAN_RUNTIME (the default) they are linked in instead, so only the code redkeep uses
# is mapped, and everything but a Debug build is built for size (-Os, which comes after and so
# overrides the build type's -O): an idle node 5.7 MB instead of 10 MB.
#
# Debian packages CAF 0.17 as a shared library only, so the lean runtime builds CAF's core from
# Debian's own source tarball of the same version (the one libcaf-dev is built from, checked by
# its SHA-256). It is downloaded from deb.debian.org at configure time; where that cannot be
# reached, the build warns and links Debian's shared libraries, unless
# -DREDKEEP_CAF_TARBALL=/path/to/actor-framework_0.17.6.orig.tar.gz names the file.
# -DREDKEEP_LEAN_RUNTIME=OFF asks for the shared libraries. libmnl and glibc stay shared:
# Debian ships no static libmnl.
#
# Defines caf::core and the interface targets redkeep_log (spdlog), redkeep_hiredis,
# redkeep_libevent, redkeep_libmnl.

option(REDKEEP_LEAN_RUNTIME
  "Link CAF (built from Debian's source), libstdc++, spdlog, hiredis and libevent statically, built for size"
  ON)
if(REDKEEP_SANITIZE)
  set(REDKEEP_LEAN_RUNTIME OFF)
endif()

set(REDKEEP_CAF_VERSION 0.17.6)
set(REDKEEP_CAF_SHA256 e2bf5bd243f08bb7d8adde197cfe3e6d71314ed3378fe0692f8932f4c3b3928c)
set(REDKEEP_CAF_URL
  "http://deb.debian.org/debian/pool/main/a/actor-framework/actor-framework_${REDKEEP_CAF_VERSION}.orig.tar.gz")
set(REDKEEP_CAF_TARBALL "" CACHE FILEPATH
  "CAF ${REDKEEP_CAF_VERSION} source tarball for the lean runtime (default: download it)")

# The tarball: the one named, else the one downloaded into the build directory before (checked
# again: a damaged copy is downloaded anew), else a download now.
set(caf_tarball ${REDKEEP_CAF_TARBALL})
if(REDKEEP_LEAN_RUNTIME AND NOT caf_tarball)
  set(caf_tarball ${CMAKE_BINARY_DIR}/_deps/actor-framework_${REDKEEP_CAF_VERSION}.orig.tar.gz)
  if(EXISTS ${caf_tarball})
    file(SHA256 ${caf_tarball} sha256)
    if(NOT sha256 STREQUAL REDKEEP_CAF_SHA256)
      file(REMOVE ${caf_tarball})
    endif()
  endif()
  if(NOT EXISTS ${caf_tarball})
    message(STATUS "Downloading CAF ${REDKEEP_CAF_VERSION} source from ${REDKEEP_CAF_URL}")
    file(DOWNLOAD ${REDKEEP_CAF_URL} ${caf_tarball}.part
      TIMEOUT 60 INACTIVITY_TIMEOUT 15 STATUS status)
    list(GET status 0 code)
    if(code EQUAL 0)
      file(SHA256 ${caf_tarball}.part sha256)
      if(sha256 STREQUAL REDKEEP_CAF_SHA256)
        file(RENAME ${caf_tarball}.part ${caf_tarball})
      else()
        set(status "SHA-256 ${sha256}, expected ${REDKEEP_CAF_SHA256}")
      endif()
    endif()
    file(REMOVE ${caf_tarball}.part)
  endif()
  if(NOT EXISTS ${caf_tarball})
    # A build that works everywhere beats a lean one that fails: same daemon, more memory.
    message(WARNING "Cannot download CAF's source (${status}) from ${REDKEEP_CAF_URL}: linking "
      "Debian's shared libraries instead, which costs about 4 MB more resident memory per node. "
      "Pass -DREDKEEP_CAF_TARBALL=/path/to/that/file for the lean runtime.")
    set(REDKEEP_LEAN_RUNTIME OFF)
  endif()
elseif(REDKEEP_LEAN_RUNTIME)
  if(NOT EXISTS ${caf_tarball})
    message(FATAL_ERROR "REDKEEP_CAF_TARBALL: ${caf_tarball} does not exist")
  endif()
  file(SHA256 ${caf_tarball} sha256)
  if(NOT sha256 STREQUAL REDKEEP_CAF_SHA256)
    message(FATAL_ERROR "REDKEEP_CAF_TARBALL: ${caf_tarball} has SHA-256 ${sha256}, expected "
      "${REDKEEP_CAF_SHA256} (Debian's actor-framework_${REDKEEP_CAF_VERSION}.orig.tar.gz)")
  endif()
endif()

if(REDKEEP_LEAN_RUNTIME)
  message(STATUS "Lean runtime: CAF ${REDKEEP_CAF_VERSION} from ${caf_tarball}, linked statically")
else()
  message(STATUS "Shared runtime: Debian's CAF, spdlog, hiredis and libevent libraries")
endif()

if(REDKEEP_LEAN_RUNTIME)
  include(ExternalProject)
  string(TOLOWER "${CMAKE_BUILD_TYPE}" build_type)
  if(build_type STREQUAL "debug")
    set(caf_build_type Debug)
  else()
    set(caf_build_type MinSizeRel)
  endif()
  set(caf_prefix ${CMAKE_BINARY_DIR}/_deps/caf)
  set(caf_library ${caf_prefix}/lib/libcaf_core_static.a)
  ExternalProject_Add(caf_core_static
    URL ${caf_tarball}
    URL_HASH SHA256=${REDKEEP_CAF_SHA256}
    PREFIX ${CMAKE_BINARY_DIR}/_deps/caf-build
    INSTALL_DIR ${caf_prefix}
    CMAKE_ARGS -DCMAKE_INSTALL_PREFIX=<INSTALL_DIR> -DCMAKE_BUILD_TYPE=${caf_build_type}
      -DCMAKE_CXX_COMPILER=${CMAKE_CXX_COMPILER}
      "-DCMAKE_CXX_FLAGS=${CMAKE_CXX_FLAGS} -ffunction-sections -fdata-sections"
      # CAF 0.17 asks for CMake 2.8.12, which CMake 4 refuses; and no libc++ behind our back.
      -DCMAKE_POLICY_VERSION_MINIMUM=3.5 -DCAF_NO_AUTO_LIBCPP=yes
      -DCAF_BUILD_STATIC_ONLY=yes -DCAF_NO_IO=yes -DCAF_NO_OPENSSL=yes -DCAF_NO_EXAMPLES=yes
      -DCAF_NO_UNIT_TESTS=yes -DCAF_NO_TOOLS=yes -DCAF_NO_PYTHON=yes -DCAF_NO_OPENCL=yes
      -DCAF_NO_SUMMARY=yes
    BUILD_BYPRODUCTS ${caf_library}
    DOWNLOAD_EXTRACT_TIMESTAMP TRUE)
  # The include directory must exist when the imported target is defined.
  file(MAKE_DIRECTORY ${caf_prefix}/include)
  add_library(caf::core STATIC IMPORTED)
  set_target_properties(caf::core PROPERTIES IMPORTED_LOCATION ${caf_library}
    INTERFACE_INCLUDE_DIRECTORIES ${caf_prefix}/include
    INTERFACE_LINK_LIBRARIES Threads::Threads)
  add_dependencies(caf::core caf_core_static)

  # Only what is used is kept: sections per function, dropped when unreferenced. libstdc++ and
  # libgcc are linked in, so no shared C++ runtime is mapped at all (nothing left needs it).
  add_compile_options(-ffunction-sections -fdata-sections $<$<NOT:$<CONFIG:Debug>>:-Os>)
  add_link_options(-static-libstdc++ -static-libgcc -Wl,--gc-sections -Wl,--as-needed)

  add_library(redkeep_log INTERFACE)
  target_compile_definitions(redkeep_log INTERFACE SPDLOG_HEADER_ONLY SPDLOG_FMT_EXTERNAL)
  target_link_libraries(redkeep_log INTERFACE fmt::fmt-header-only Threads::Threads)

  find_library(HIREDIS_STATIC_LIBRARY libhiredis.a REQUIRED)
  find_library(LIBEVENT_STATIC_LIBRARY libevent.a REQUIRED)
  add_library(redkeep_hiredis INTERFACE)
  target_include_directories(redkeep_hiredis SYSTEM INTERFACE ${HIREDIS_INCLUDE_DIRS})
  target_compile_options(redkeep_hiredis INTERFACE ${HIREDIS_CFLAGS_OTHER})
  target_link_libraries(redkeep_hiredis INTERFACE ${HIREDIS_STATIC_LIBRARY})
  add_library(redkeep_libevent INTERFACE)
  target_include_directories(redkeep_libevent SYSTEM INTERFACE ${LIBEVENT_INCLUDE_DIRS})
  target_compile_options(redkeep_libevent INTERFACE ${LIBEVENT_CFLAGS_OTHER})
  target_link_libraries(redkeep_libevent INTERFACE ${LIBEVENT_STATIC_LIBRARY})
else()
  # Debian ships no CMake package for CAF 0.17: imported targets by hand.
  find_path(CAF_INCLUDE_DIR caf/all.hpp REQUIRED)
  find_library(CAF_CORE_LIBRARY caf_core REQUIRED)
  add_library(caf::core UNKNOWN IMPORTED)
  set_target_properties(caf::core PROPERTIES IMPORTED_LOCATION ${CAF_CORE_LIBRARY}
    INTERFACE_INCLUDE_DIRECTORIES ${CAF_INCLUDE_DIR})

  add_library(redkeep_log INTERFACE)
  target_link_libraries(redkeep_log INTERFACE spdlog::spdlog)
  add_library(redkeep_hiredis INTERFACE)
  target_link_libraries(redkeep_hiredis INTERFACE PkgConfig::HIREDIS)
  add_library(redkeep_libevent INTERFACE)
  target_link_libraries(redkeep_libevent INTERFACE PkgConfig::LIBEVENT)
endif()
add_library(redkeep_libmnl INTERFACE)
target_link_libraries(redkeep_libmnl INTERFACE PkgConfig::LIBMNL)
