# `cmake --install`: the tools, the host runtime's static libraries and headers, the stdlib, a CMake package
# (find_package(Spine), cmake/SpineConfig.cmake.in) and a pkg-config file (spine.pc). docs/host.md says how to use
# them; test/package builds a tiny project against an installed tree.
install(TARGETS spinec spine-nic spinectl spine-image RUNTIME DESTINATION bin)
install(TARGETS spine_hostrt spine_nic spine_ports spine_nicrt spine_image spine_packet ARCHIVE DESTINATION lib/spine)
install(DIRECTORY ${PROJECT_SOURCE_DIR}/include/spine/ DESTINATION include/spine FILES_MATCHING PATTERN "*.h")
install(DIRECTORY ${PROJECT_SOURCE_DIR}/hostrt/include/spine/host/ DESTINATION include/spine/host
        FILES_MATCHING PATTERN "*.h")
install(DIRECTORY ${PROJECT_SOURCE_DIR}/stdlib/ DESTINATION share/spine/stdlib FILES_MATCHING PATTERN "*.spi")
configure_file(${PROJECT_SOURCE_DIR}/cmake/SpineConfig.cmake.in ${PROJECT_BINARY_DIR}/SpineConfig.cmake @ONLY)
install(FILES ${PROJECT_BINARY_DIR}/SpineConfig.cmake DESTINATION lib/cmake/Spine)
configure_file(${PROJECT_SOURCE_DIR}/cmake/spine.pc.in ${PROJECT_BINARY_DIR}/spine.pc @ONLY)
install(FILES ${PROJECT_BINARY_DIR}/spine.pc DESTINATION lib/pkgconfig)
