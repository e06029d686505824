# ferry_library(<folder> DEPS <targets...>)
# Every folder under src/ferry is one static library, ferry_<folder>, built from the
# .cc files found in it (subfolders included). Dependencies point one way
# (core <- config, store, http <- auth <- proxy <- actions <- api <- app).
function(ferry_library folder)
  cmake_parse_arguments(ARG "" "" "DEPS" ${ARGN})
  file(GLOB_RECURSE sources CONFIGURE_DEPENDS "${CMAKE_CURRENT_SOURCE_DIR}/${folder}/*.cc")
  # main.cc is the executable's entry point, never part of a library.
  list(FILTER sources EXCLUDE REGEX "/main\\.cc$")
  string(REPLACE "/" "_" name "${folder}")
  if(NOT sources)
    # A folder with headers only.
    add_library(ferry_${name} INTERFACE)
    target_include_directories(ferry_${name} INTERFACE ${PROJECT_SOURCE_DIR}/src)
    target_link_libraries(ferry_${name} INTERFACE ${ARG_DEPS})
    return()
  endif()
  add_library(ferry_${name} STATIC ${sources})
  target_include_directories(ferry_${name} PUBLIC ${PROJECT_SOURCE_DIR}/src)
  target_link_libraries(ferry_${name} PUBLIC ${ARG_DEPS})
endfunction()

# ferry_test(<folder> DEPS <targets...>)
# One GoogleTest binary per tests/unit/<folder>, labelled with the folder name.
function(ferry_test folder)
  cmake_parse_arguments(ARG "" "" "DEPS" ${ARGN})
  file(GLOB_RECURSE sources CONFIGURE_DEPENDS "${CMAKE_CURRENT_SOURCE_DIR}/${folder}/*_test.cc")
  if(NOT sources)
    return()
  endif()
  string(REPLACE "/" "_" name "${folder}")
  add_executable(${name}_test ${sources})
  target_link_libraries(${name}_test PRIVATE ${ARG_DEPS} GTest::gtest GTest::gtest_main GTest::gmock)
  target_compile_definitions(${name}_test PRIVATE FERRY_SOURCE_DIR="${PROJECT_SOURCE_DIR}")
  gtest_discover_tests(${name}_test PROPERTIES LABELS "unit;${name}" DISCOVERY_TIMEOUT 60)
endfunction()
