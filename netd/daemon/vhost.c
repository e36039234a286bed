/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "daemon/daemon.h"

int vhost_open(unsigned n, int *fds, struct op_error *e)
{
	for (unsigned i = 0; i < n; i++) {
		fds[i] = open("/dev/vhost-net", O_RDWR | O_CLOEXEC);
		if (fds[i] < 0) {
			int err = errno;
			while (i > 0)
				close(fds[--i]);
			if (err == ENOENT || err == ENXIO || err == ENODEV)
				return op_fail(e, ENODEV, "vhost-net is not available: /dev/vhost-net: %s "
					       "(is the vhost_net module loaded?)", strerror(err));
			return op_fail(e, err, "cannot open /dev/vhost-net: %s", strerror(err));
		}
	}
	return 0;
}
