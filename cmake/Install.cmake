# `cmake --install`: the binary, a man page made by help2man from the command definitions
# (`--help-all`), bash/zsh/fish completions written by the binary itself (`--completion`), and an
# example config, in the usual places under CMAKE_INSTALL_PREFIX. CPack (`cpack -G DEB`) makes a
# .deb whose dependencies dpkg-shlibdeps reads from the binary: Debian's runtime packages.
include(GNUInstallDirs)

set(generated "${CMAKE_BINARY_DIR}/share")
set(cli "$<TARGET_FILE:cora-migrate>")

find_program(HELP2MAN help2man)
if(HELP2MAN)
  set(man_sections "${PROJECT_SOURCE_DIR}/docs/man/cora-migrate.h2m")
  add_custom_command(OUTPUT "${generated}/cora-migrate.h2m"
    COMMAND ${CMAKE_COMMAND} -E make_directory "${generated}"
    COMMAND ${CMAKE_COMMAND} -DREADME=${PROJECT_SOURCE_DIR}/README.md -DSECTIONS=${man_sections}
            -DOUT=${generated}/cora-migrate.h2m -P ${PROJECT_SOURCE_DIR}/cmake/ManPageSections.cmake
    DEPENDS "${PROJECT_SOURCE_DIR}/README.md" "${man_sections}" "${PROJECT_SOURCE_DIR}/cmake/ManPageSections.cmake"
    COMMENT "Writing the man page's EXIT STATUS, ENVIRONMENT, FILES and EXAMPLES")
  # Debian installs man pages compressed (gzip -9n: no name or time stamp, so the build is
  # reproducible).
  add_custom_command(OUTPUT "${generated}/cora-migrate.1" "${generated}/cora-migrate.1.gz"
    COMMAND ${HELP2MAN} --no-info --help-option=--help-all --version-string=${PROJECT_VERSION}
            --name "apply versioned PostgreSQL migrations and verify the live schema"
            --include "${generated}/cora-migrate.h2m"
            --output "${generated}/cora-migrate.1" ${cli}
    COMMAND gzip -9nc "${generated}/cora-migrate.1" > "${generated}/cora-migrate.1.gz"
    DEPENDS cora-migrate "${generated}/cora-migrate.h2m"
    COMMENT "Writing the man page (help2man)")
  list(APPEND install_outputs "${generated}/cora-migrate.1.gz")
  install(FILES "${generated}/cora-migrate.1.gz" DESTINATION "${CMAKE_INSTALL_MANDIR}/man1")
else()
  message(WARNING "help2man not found: no man page is built or installed (bash scripts/install-deps.sh installs it)")
endif()

foreach(shell bash zsh fish)
  add_custom_command(OUTPUT "${generated}/completion.${shell}"
    COMMAND ${CMAKE_COMMAND} -E make_directory "${generated}"
    COMMAND ${cli} --completion ${shell} > "${generated}/completion.${shell}"
    DEPENDS cora-migrate
    COMMENT "Writing the ${shell} completion")
  list(APPEND install_outputs "${generated}/completion.${shell}")
endforeach()
add_custom_target(cora_install_files ALL DEPENDS ${install_outputs})

install(TARGETS cora-migrate RUNTIME DESTINATION "${CMAKE_INSTALL_BINDIR}")
install(FILES "${generated}/completion.bash" DESTINATION "${CMAKE_INSTALL_DATADIR}/bash-completion/completions"
        RENAME cora-migrate)
install(FILES "${generated}/completion.zsh" DESTINATION "${CMAKE_INSTALL_DATADIR}/zsh/vendor-completions"
        RENAME _cora-migrate)
install(FILES "${generated}/completion.fish" DESTINATION "${CMAKE_INSTALL_DATADIR}/fish/vendor_completions.d"
        RENAME cora-migrate.fish)
install(FILES "${PROJECT_SOURCE_DIR}/docs/examples/cora-migrate.toml" "${PROJECT_SOURCE_DIR}/docs/examples/github-actions.yml"
        DESTINATION "${CMAKE_INSTALL_DOCDIR}/examples")
# The README links into docs/ and CONTRIBUTING.md by relative paths: installed in the same shape.
install(FILES "${PROJECT_SOURCE_DIR}/README.md" "${PROJECT_SOURCE_DIR}/CONTRIBUTING.md" DESTINATION "${CMAKE_INSTALL_DOCDIR}")
file(GLOB cora_doc_pages CONFIGURE_DEPENDS "${PROJECT_SOURCE_DIR}/docs/*.md")
install(FILES ${cora_doc_pages} DESTINATION "${CMAKE_INSTALL_DOCDIR}/docs")

# The shipped checklists: `checklist` looks in ../share/cora-migrate/checklists beside its binary
# when the project has none of that name. Installed there, and copied to the same place relative
# to the built binary (build/cli/cora-migrate -> build/share/...), so a build finds them too.
file(GLOB cora_shipped_checklists CONFIGURE_DEPENDS "${PROJECT_SOURCE_DIR}/checks/checklists/*.toml")
foreach(checklist ${cora_shipped_checklists})
  get_filename_component(checklist_name "${checklist}" NAME)
  configure_file("${checklist}" "${generated}/cora-migrate/checklists/${checklist_name}" COPYONLY)
endforeach()
install(FILES ${cora_shipped_checklists} DESTINATION "${CMAKE_INSTALL_DATADIR}/cora-migrate/checklists")

# The package's copyright (machine-readable, as Debian policy asks) and its changelog, compressed
# as Debian ships them (gzip -9n: no name or time stamp).
set(CORA_PACKAGE_MAINTAINER "cora-migrate maintainers <maintainers@cora-migrate.dev>"
    CACHE STRING "The .deb's Maintainer field, also in its copyright and changelog")
configure_file("${PROJECT_SOURCE_DIR}/cmake/debian/copyright.in" "${generated}/copyright" @ONLY)
configure_file("${PROJECT_SOURCE_DIR}/cmake/debian/changelog.in" "${generated}/changelog" @ONLY)
add_custom_command(OUTPUT "${generated}/changelog.gz"
  COMMAND gzip -9nc "${generated}/changelog" > "${generated}/changelog.gz"
  DEPENDS "${generated}/changelog"
  COMMENT "Compressing the package changelog")
add_custom_target(cora_package_files ALL DEPENDS "${generated}/changelog.gz")
install(FILES "${generated}/copyright" "${generated}/changelog.gz" DESTINATION "${CMAKE_INSTALL_DOCDIR}")

set(CPACK_GENERATOR "DEB")
set(CPACK_PACKAGE_NAME "cora-migrate")
set(CPACK_PACKAGE_VERSION "${PROJECT_VERSION}")
set(CPACK_PACKAGE_CONTACT "${CORA_PACKAGE_MAINTAINER}")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "apply versioned PostgreSQL migrations and verify the live schema")
set(CPACK_PACKAGE_DESCRIPTION
    "cora-migrate applies numbered SQL files to a PostgreSQL or Supabase
database in order, exactly once each, each in its own transaction,
recorded with a checksum and serialised by a lock, across every module of
a project. It verifies the live schema with declarative checks, built-in
security lints and what function bodies reference, shows drift between
the database and the files, and prints a deployment validation checklist
with every machine-checkable item decided.")
# Debian ships stripped binaries (lintian: unstripped-binary-or-object).
set(CPACK_STRIP_FILES ON)
set(CPACK_PACKAGING_INSTALL_PREFIX "/usr")
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION "database")
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
# The embedded database (no URL configured) needs PostgreSQL 15's initdb and pg_ctl.
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS "postgresql-15, postgresql-client-15, python3")
include(CPack)
