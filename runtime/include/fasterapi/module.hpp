// Module: the Python face of a generated extension, defined once here so that
// generated code only names its route table.
//
// `_native` exposes the compiled app's identity (signature hash, ABI version,
// source) and `Runtime`, which the loader (fasterapi.loader) drives:
// construct with the route bindings, start, register `drain` on the asyncio
// loop, stop. `json_dumps`/`encode_jsonable` expose the C++ encoder for tests.
#pragma once

#include <pybind11/pybind11.h>

#include "fasterapi/app.hpp"

namespace fasterapi {

void define_module(pybind11::module_& m, const AppSpec& spec);

}  // namespace fasterapi
