# FasterAPI CMake package: the runtime library and fasterapi_add_app().
#
#   find_package(FasterAPI REQUIRED)
#   fasterapi_add_app(<module-name> SOURCES a.cpp b.cpp ...)
#
# builds one Python extension module from generated sources linked against the
# runtime that was compiled when the fasterapi package was installed.
include(CMakeFindDependencyMacro)
find_dependency(Python 3.11 COMPONENTS Interpreter Development.Module)
find_dependency(pybind11 CONFIG)
find_dependency(Threads)
find_dependency(ZLIB)
find_dependency(simdjson)
include("${CMAKE_CURRENT_LIST_DIR}/FasterAPITargets.cmake")

function(fasterapi_add_app name)
  cmake_parse_arguments(ARG "" "OUTPUT_DIRECTORY" "SOURCES" ${ARGN})
  pybind11_add_module(${name} MODULE ${ARG_SOURCES})
  target_link_libraries(${name} PRIVATE FasterAPI::runtime)
  target_compile_features(${name} PRIVATE cxx_std_20)
  target_compile_options(${name} PRIVATE -Wall -Wextra -Werror)
  if(ARG_OUTPUT_DIRECTORY)
    set_target_properties(${name} PROPERTIES LIBRARY_OUTPUT_DIRECTORY "${ARG_OUTPUT_DIRECTORY}")
  endif()
endfunction()
