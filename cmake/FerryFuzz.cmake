# The libFuzzer build (FERRY_FUZZ=ON; scripts/build.sh fuzz). Clang only: libFuzzer ships
# with clang's compiler-rt (Debian: libclang-rt-14-dev).
#
# Every library is compiled with coverage instrumentation for the fuzzer
# (-fsanitize=fuzzer-no-link) plus AddressSanitizer and UndefinedBehaviorSanitizer, so a
# fuzzer finds what the unit tests' sanitizer build would report. Only the fuzz targets link
# libFuzzer's main (ferry_fuzz_target below).
if(NOT CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
  message(FATAL_ERROR "FERRY_FUZZ needs clang (e.g. CC=clang-14 CXX=clang++-14), not "
                      "${CMAKE_CXX_COMPILER_ID}")
endif()
if(FERRY_SANITIZE)
  message(FATAL_ERROR "FERRY_FUZZ already enables the sanitizers; leave FERRY_SANITIZE off")
endif()

# -fno-sanitize=function: clang 14 cannot emit UBSan's function-type prologue for the
# split functions of a C++20 coroutine ("Cannot represent a difference across sections"),
# and every Asio awaitable is one.
add_compile_options(-fsanitize=fuzzer-no-link,address,undefined -fno-sanitize=function
                    -fno-sanitize-recover=undefined -fno-omit-frame-pointer)
add_link_options(-fsanitize=address,undefined)

# ferry_fuzz_target(<name> DEPS <targets...>)
# The executable <build>/fuzz_<name> from tests/fuzz/<name>_fuzz.cc, linked with libFuzzer's
# main.
function(ferry_fuzz_target name)
  cmake_parse_arguments(ARG "" "" "DEPS" ${ARGN})
  add_executable(fuzz_${name} ${CMAKE_CURRENT_SOURCE_DIR}/${name}_fuzz.cc)
  target_link_libraries(fuzz_${name} PRIVATE ${ARG_DEPS})
  target_link_options(fuzz_${name} PRIVATE -fsanitize=fuzzer)
  set_target_properties(fuzz_${name} PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${PROJECT_BINARY_DIR})
endfunction()
