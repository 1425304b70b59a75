# Install layout beyond bin/ and share/jiebang/index (systemd units, sysusers, docs) and the .deb (CPack).
#
# The units name /usr/bin/jiebang: they are meant for the package (prefix /usr); a `cmake --install
# --prefix P` puts them under P/lib/systemd/system for whoever wants to copy and adapt them.
install(FILES packaging/jiebang.service packaging/jiebang-digest.service packaging/jiebang-digest.timer
        DESTINATION lib/systemd/system)
install(FILES packaging/jiebang.sysusers DESTINATION lib/sysusers.d RENAME jiebang.conf)
install(FILES README.md CHANGELOG.md docs/GUIDE.md DESTINATION ${CMAKE_INSTALL_DOCDIR})
# Every configuration key with its default (see `jiebang config`): an example in the docs, and in the
# .deb the file jiebang reads by default, /etc/jiebang/jiebang.toml, a conffile (packaging/deb/conffiles).
# The latter is a component of its own left out of a plain install, so `cmake --install --prefix P`
# writes nothing to /etc; cpack installs both (CPACK_INSTALL_CMAKE_PROJECTS below).
install(FILES packaging/jiebang.toml DESTINATION ${CMAKE_INSTALL_DOCDIR} RENAME jiebang.toml.example)
install(FILES packaging/jiebang.toml DESTINATION /etc/jiebang COMPONENT conffiles EXCLUDE_FROM_ALL)

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME jiebang)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_CONTACT "jiebang maintainers <jiebang@localhost>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "matching engine for 揭榜挂帅 scenario-opportunity marketplaces")
# The synopsis is CPACK_PACKAGE_DESCRIPTION_SUMMARY; this is the extended description.
string(CONCAT CPACK_DEBIAN_PACKAGE_DESCRIPTION
    "Indexes scenario lists and enterprise capability profiles (Chinese and English), searches\n"
    "open scenarios, ranks and explains matches both ways, follows each match through its stages\n"
    "and writes a weekly digest. Command line, web API and pages (jiebang serve), systemd units.")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_STRIP_FILES ON)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION misc)
# Shared libraries by dpkg-shlibdeps (Debian's packages: libxapian30, libsqlite3-0, libicu72, …);
# data read at run time by name: jieba's dictionary and HMM tables, OpenCC's t2s.json.
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_DEPENDS "python3-jieba, libopencc-data")
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS "systemd")
set(CPACK_INSTALL_CMAKE_PROJECTS "${CMAKE_BINARY_DIR};jiebang;ALL;/;${CMAKE_BINARY_DIR};jiebang;conffiles;/")
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA
    ${CMAKE_CURRENT_SOURCE_DIR}/packaging/deb/conffiles
    ${CMAKE_CURRENT_SOURCE_DIR}/packaging/deb/postinst
    ${CMAKE_CURRENT_SOURCE_DIR}/packaging/deb/prerm
    ${CMAKE_CURRENT_SOURCE_DIR}/packaging/deb/postrm)
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
include(CPack)
