# Bazel 4.2.3's own @bazel_tools//tools/cpp loads @rules_cc//cc:defs.bzl, and Bazel would download
# rules_cc to satisfy it. Debian's bazel-rules-cc is too new for 4.2.3 (it needs use_cpp_toolchain),
# so this local stand-in re-exports the rules that are built into Bazel 4.2.3 itself.
cc_binary = native.cc_binary
cc_import = native.cc_import
cc_library = native.cc_library
cc_proto_library = native.cc_proto_library
cc_test = native.cc_test
cc_toolchain = native.cc_toolchain
cc_toolchain_suite = native.cc_toolchain_suite
fdo_prefetch_hints = native.fdo_prefetch_hints
fdo_profile = native.fdo_profile
objc_import = native.objc_import
objc_library = native.objc_library
