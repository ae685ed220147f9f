"""How the functional test scripts start the emulator.

In a cross build (ci/cross/*.ini) the emulator is built for another
architecture and runs under the cross file's exe_wrapper (qemu-user).  Meson
runs the test scripts themselves natively and hands them that wrapper in
MESON_EXE_WRAPPER; in a native build the variable is unset.
"""
import os
import shlex


def host_command(argv: list[str]) -> list[str]:
    """argv with the build's exe_wrapper, if any, in front."""
    return shlex.split(os.environ.get("MESON_EXE_WRAPPER", "")) + list(argv)


# How much longer a step of a test may take when the emulator runs under
# qemu-user: rivet's interpreter, itself interpreted, is about 18 times
# slower there (serial-socket flood-no-read: 1.0 s of CPU natively, 18.1 s
# under qemu-i386; docs/cross.md, "Time bounds under qemu-user").
EMULATED_SLOWDOWN = 20


def step_timeout(native_seconds: float) -> float:
    """The bound on one step of a test (a run that must end, a reply that
    must come): native_seconds in a native build, EMULATED_SLOWDOWN times
    that under the build's exe_wrapper.  A guest that never finishes is
    still a failure, only found later."""
    if os.environ.get("MESON_EXE_WRAPPER"):
        return native_seconds * EMULATED_SLOWDOWN
    return native_seconds
