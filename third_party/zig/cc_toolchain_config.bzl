"""A cc_toolchain_config for Zig's clang + libc++ + musl, building fully static binaries.

Every binary is linked statically (no PT_INTERP, no dynamic section). opt mode optimises for size,
drops unused sections and strips symbols: that is the shipped artifact.
"""

load("@bazel_tools//tools/build_defs/cc:action_names.bzl", "ACTION_NAMES")
load(
    "@bazel_tools//tools/cpp:cc_toolchain_config_lib.bzl",
    "feature",
    "flag_group",
    "flag_set",
    "tool_path",
    "with_feature_set",
)

_C_COMPILE = [ACTION_NAMES.c_compile, ACTION_NAMES.assemble, ACTION_NAMES.preprocess_assemble]
_CXX_COMPILE = [
    ACTION_NAMES.cpp_compile,
    ACTION_NAMES.cpp_header_parsing,
    ACTION_NAMES.cpp_module_compile,
    ACTION_NAMES.linkstamp_compile,
]
_LINK = [ACTION_NAMES.cpp_link_executable, ACTION_NAMES.cpp_link_dynamic_library]

def _flags(actions, flags):
    return flag_set(actions = actions, flag_groups = [flag_group(flags = flags)])

def _impl(ctx):
    target = ["-target", ctx.attr.target] + ctx.attr.target_flags
    common = target + [
        "-Wall",
        "-Wextra",
        "-Wno-unused-parameter",
        # Abseil 20220623 still uses builtins that clang 19 calls deprecated.
        "-Wno-deprecated-builtins",
        # Abseil 20220623 uses off64_t, which musl >= 1.2.4 only declares on request.
        "-D_LARGEFILE64_SOURCE",
        "-ffunction-sections",
        "-fdata-sections",
        # Absolute paths would otherwise end up in binaries and make them machine-specific.
        "-ffile-prefix-map=" + ctx.attr.builtin_include_directories[0] + "=zig/lib",
    ]
    features = [
        feature(
            name = "default_compile_flags",
            enabled = True,
            flag_sets = [
                _flags(_C_COMPILE + _CXX_COMPILE, common),
                _flags(_CXX_COMPILE, ["-std=c++17"]),
            ],
        ),
        feature(
            name = "default_link_flags",
            enabled = True,
            flag_sets = [_flags(_LINK, target + ["-static", "-Wl,--gc-sections", "-Wl,--build-id=none"])],
        ),
        # Zig builds libc++ and musl to match the optimisation flag it sees at link time, so the
        # link actions get the same -O as the compile actions.
        # The shipped code neither throws nor catches, nor asks a type at run time: without
        # exceptions, RTTI and unwind tables (an exception from below, std::bad_alloc, ends the
        # process the same way with or without them), and with unused data dropped like unused
        # code, the x86_64 binary is 20 KB smaller. Zig builds libc++ and musl with its own flags.
        # Our own code and Abseil are compiled at clang's -Oz: zig's driver turns every -Os/-Oz
        # into -Os, so -Oz goes straight to the compiler (-Xclang; the last -O wins). It gives up
        # inlining and unrolling that the run path, which waits on system calls, never notices:
        # the x86_64 binary is about 80 KB smaller (458 KB -> 377 KB).
        feature(
            name = "opt",
            flag_sets = [
                _flags(_C_COMPILE + _CXX_COMPILE, ["-Os", "-DNDEBUG", "-fdata-sections", "-fno-asynchronous-unwind-tables", "-fno-unwind-tables"]),
                _flags([ACTION_NAMES.c_compile] + _CXX_COMPILE, ["-Xclang", "-Oz"]),
                _flags(_CXX_COMPILE, ["-fno-exceptions", "-fno-rtti"]),
                _flags(_LINK, ["-Os"]),
            ],
        ),
        # The shipped artifact has no symbols. `--features=-strip_all` keeps them, for looking at
        # what each part of the binary costs (tests/bench/size_parts.py); nothing else changes, so
        # the code is the shipped code.
        feature(
            name = "strip_all",
            enabled = True,
            flag_sets = [flag_set(
                actions = _LINK,
                flag_groups = [flag_group(flags = ["-Wl,--strip-all"])],
                with_features = [with_feature_set(features = ["opt"])],
            )],
        ),
        feature(
            name = "dbg",
            flag_sets = [
                _flags(_C_COMPILE + _CXX_COMPILE, ["-O0", "-g"]),
                _flags(_LINK, ["-O0"]),
            ],
        ),
        feature(
            name = "fastbuild",
            flag_sets = [
                _flags(_C_COMPILE + _CXX_COMPILE, ["-O1"]),
                _flags(_LINK, ["-O1"]),
            ],
        ),
        feature(name = "supports_start_end_lib", enabled = False),
    ]

    # Only gcc (the compiler driver) and ar are ever run; the rest point at a tool that fails loudly.
    tool_paths = [
        tool_path(name = "gcc", path = "zig-c++"),
        tool_path(name = "ar", path = "zig-ar"),
    ] + [
        tool_path(name = name, path = "/bin/false")
        for name in ["cpp", "dwp", "gcov", "ld", "nm", "objcopy", "objdump", "strip"]
    ]

    return cc_common.create_cc_toolchain_config_info(
        ctx = ctx,
        features = features,
        cxx_builtin_include_directories = ctx.attr.builtin_include_directories,
        toolchain_identifier = "zig-" + ctx.attr.target,
        host_system_name = "x86_64-linux-gnu",
        target_system_name = ctx.attr.target,
        target_cpu = ctx.attr.cpu,
        target_libc = "musl",
        compiler = "clang",
        abi_version = "musl",
        abi_libc_version = "musl",
        tool_paths = tool_paths,
    )

cc_toolchain_config = rule(
    implementation = _impl,
    attrs = {
        "cpu": attr.string(mandatory = True),
        "target": attr.string(mandatory = True),
        # CPU model and float ABI flags (-mcpu=..., -msoft-float), for compiling and linking alike.
        "target_flags": attr.string_list(default = []),
        "builtin_include_directories": attr.string_list(mandatory = True),
    },
)
