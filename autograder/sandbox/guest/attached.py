"""nbclient's view of a kernel this process forked (``warm.py``): a jupyter_client kernel manager
that starts nothing, reads the kernel's connection file, and watches, interrupts and kills the
kernel by its pid (it is this process's child)."""

import os
import signal

from jupyter_client.manager import AsyncKernelManager


class AttachedKernelManager(AsyncKernelManager):
    """A kernel manager for an already running kernel process ``pid``."""

    def __init__(self, pid, connection_file, **kwargs):
        super().__init__(**kwargs)
        self.kernel_pid = pid
        self.exit_code = None
        self.load_connection_file(connection_file)

    def _poll(self):
        if self.exit_code is None:
            try:
                done, status = os.waitpid(self.kernel_pid, os.WNOHANG)
            except ChildProcessError:
                done, status = self.kernel_pid, 1 << 8
            if done:
                self.exit_code = os.waitstatus_to_exitcode(status)
        return self.exit_code

    @property
    def has_kernel(self):
        return self._poll() is None

    async def _async_is_alive(self):
        return self._poll() is None

    is_alive = _async_is_alive

    async def _async_interrupt_kernel(self):
        if self._poll() is None:
            os.kill(self.kernel_pid, signal.SIGINT)

    interrupt_kernel = _async_interrupt_kernel

    async def _async_shutdown_kernel(self, now=False, restart=False):
        self.kill()

    shutdown_kernel = _async_shutdown_kernel

    async def _async_cleanup_resources(self, restart=False):
        self._close_control_socket()

    cleanup_resources = _async_cleanup_resources

    def kill(self):
        """SIGKILL the kernel (if it still runs) and reap it."""
        if self._poll() is None:
            try:
                os.kill(self.kernel_pid, signal.SIGKILL)
                os.waitpid(self.kernel_pid, 0)
            except (ProcessLookupError, ChildProcessError):
                pass
            self.exit_code = -signal.SIGKILL
