// The one way the server includes Asio.
//
// Asio decides between aligned_alloc/free and operator new/delete for its
// handler memory from a libstdc++ macro, so a translation unit that includes
// <asio.hpp> before any standard C++ header decides differently from one that
// does not. Both definitions are inline; the linker keeps one of each, and
// memory from aligned_alloc ends up in operator delete. Including a standard
// header first makes every translation unit agree.
#pragma once

#include <cstddef>

#include <asio.hpp>
