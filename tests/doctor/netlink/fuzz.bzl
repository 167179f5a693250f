"""doctor_fuzz_target: a libFuzzer target that also builds, and runs as a test, without libFuzzer.

With --config=fuzz (clang, -fsanitize=fuzzer-no-link,address,undefined, --define=doctor_fuzz=libfuzzer)
`name` links libFuzzer's main: tests/doctor/fuzz.sh runs it. With any other configuration it links
fuzz_replay_main.cc instead, and `name + "_replay"` runs LLVMFuzzerTestOneInput over the captured
test data as an ordinary unit test (under ASan too, with --config=asan).
"""

def doctor_fuzz_target(name, srcs, deps):
    native.cc_binary(
        name = name,
        testonly = True,
        srcs = srcs,
        deps = deps + select({
            "//tests/doctor/netlink:libfuzzer": [],
            "//conditions:default": ["//tests/doctor/netlink:fuzz_replay_main"],
        }),
        linkopts = select({
            "//tests/doctor/netlink:libfuzzer": ["-fsanitize=fuzzer"],
            "//conditions:default": [],
        }),
    )
    native.cc_test(
        name = name + "_replay",
        size = "small",
        srcs = srcs,
        args = ["tests/doctor/testdata"],
        data = ["//tests/doctor:testdata"],
        tags = ["unit"],
        deps = deps + ["//tests/doctor/netlink:fuzz_replay_main"],
    )
