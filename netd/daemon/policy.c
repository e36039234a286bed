/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <fnmatch.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "daemon/daemon.h"
#include "daemon/policy.h"

static void list_free(struct policy_list *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->items[i]);
	free(l->items);
}

void policy_free(struct policy *p)
{
	if (!p)
		return;
	for (size_t i = 0; i < p->n_rules; i++) {
		struct policy_rule *r = &p->rules[i];
		list_free(&r->bridges);
		list_free(&r->links);
		list_free(&r->pfs);
		list_free(&r->guests);
		free(r->vlans);
	}
	free(p->rules);
	free(p);
}

static char *trim(char *s)
{
	char *end;

	while (*s == ' ' || *s == '\t')
		s++;
	end = s + strlen(s);
	while (end > s && (end[-1] == ' ' || end[-1] == '\t' || end[-1] == '\r' || end[-1] == '\n'))
		*--end = '\0';
	return s;
}

static int parse_list(char *val, struct policy_list *l)
{
	char *save = NULL;

	list_free(l);
	memset(l, 0, sizeof(*l));
	l->set = true;
	for (char *t = strtok_r(val, " \t,", &save); t; t = strtok_r(NULL, " \t,", &save)) {
		char **grown = realloc(l->items, (l->n + 1) * sizeof(*grown));
		if (!grown)
			return -ENOMEM;
		l->items = grown;
		l->items[l->n] = strdup(t);
		if (!l->items[l->n])
			return -ENOMEM;
		l->n++;
	}
	return 0;
}

static int parse_bool(const char *v, bool *ret)
{
	if (!strcasecmp(v, "yes") || !strcasecmp(v, "on") || !strcasecmp(v, "true") || !strcmp(v, "1"))
		*ret = true;
	else if (!strcasecmp(v, "no") || !strcasecmp(v, "off") || !strcasecmp(v, "false") || !strcmp(v, "0"))
		*ret = false;
	else
		return -EINVAL;
	return 0;
}

static int parse_count(const char *v, long *ret)
{
	char *end;

	if (!strcasecmp(v, "unlimited")) {
		*ret = -1;
		return 0;
	}
	if (*v < '0' || *v > '9')
		return -EINVAL;
	*ret = strtol(v, &end, 10);
	return *end || *ret > 1000000 ? -EINVAL : 0;
}

static int parse_vlans(char *val, struct policy_rule *r)
{
	char *save = NULL;

	free(r->vlans);
	r->vlans = NULL;
	r->n_vlans = 0;
	for (char *t = strtok_r(val, " \t,", &save); t; t = strtok_r(NULL, " \t,", &save)) {
		unsigned lo, hi;
		char tail;
		struct vlan_range *grown;

		if (sscanf(t, "%u-%u%c", &lo, &hi, &tail) == 2)
			;
		else if (sscanf(t, "%u%c", &lo, &tail) == 1)
			hi = lo;
		else
			return -EINVAL;
		if (lo > hi || hi > 4095)
			return -ERANGE;
		grown = realloc(r->vlans, (r->n_vlans + 1) * sizeof(*grown));
		if (!grown)
			return -ENOMEM;
		r->vlans = grown;
		r->vlans[r->n_vlans++] = (struct vlan_range){ lo, hi };
	}
	return 0;
}

static int parse_kinds(char *val, unsigned *ret)
{
	char *save = NULL;

	*ret = 0;
	for (char *t = strtok_r(val, " \t,", &save); t; t = strtok_r(NULL, " \t,", &save)) {
		if (!strcmp(t, "tap"))
			*ret |= POLICY_KIND_TAP;
		else if (!strcmp(t, "macvtap"))
			*ret |= POLICY_KIND_MACVTAP;
		else if (!strcmp(t, "vf"))
			*ret |= POLICY_KIND_VF;
		else
			return -EINVAL;
	}
	return 0;
}

/* "[user alice]", "[uid 1000]", "[group kvm]", "[gid 107]" */
static int parse_section(const char *head, struct policy_rule *r, char *err, size_t errlen)
{
	char kind[16], name[64], tail;
	char *end;

	if (sscanf(head, "%15s %63s %c", kind, name, &tail) != 2) {
		snprintf(err, errlen, "section [%s] must be [daemon], [user NAME], [uid N], [group NAME] or [gid N]", head);
		return -EINVAL;
	}
	snprintf(r->section, sizeof(r->section), "[%s %s]", kind, name);
	r->max_backends = r->max_queues = -1;
	if (!strcmp(kind, "user") || !strcmp(kind, "group")) {
		r->is_group = kind[0] == 'g';
		if (r->is_group) {
			struct group *g = getgrnam(name);
			if (!g) {
				snprintf(err, errlen, "%s: no such group", r->section);
				return -ENOENT;
			}
			r->id = g->gr_gid;
		} else {
			struct passwd *pw = getpwnam(name);
			if (!pw) {
				snprintf(err, errlen, "%s: no such user", r->section);
				return -ENOENT;
			}
			r->id = pw->pw_uid;
		}
		return 0;
	}
	if (!strcmp(kind, "uid") || !strcmp(kind, "gid")) {
		r->is_group = kind[0] == 'g';
		r->id = (uint32_t)strtoul(name, &end, 10);
		if (*end || name[0] < '0' || name[0] > '9') {
			snprintf(err, errlen, "%s: not a number", r->section);
			return -EINVAL;
		}
		return 0;
	}
	snprintf(err, errlen, "section [%s] must be [daemon], [user NAME], [uid N], [group NAME] or [gid N]", head);
	return -EINVAL;
}

static int rule_set(struct policy_rule *r, const char *key, char *val)
{
	if (!strcmp(key, "kinds"))
		return parse_kinds(val, &r->kinds);
	if (!strcmp(key, "bridges"))
		return parse_list(val, &r->bridges);
	if (!strcmp(key, "links"))
		return parse_list(val, &r->links);
	if (!strcmp(key, "pfs"))
		return parse_list(val, &r->pfs);
	if (!strcmp(key, "guests"))
		return parse_list(val, &r->guests);
	if (!strcmp(key, "vlans"))
		return parse_vlans(val, r);
	if (!strcmp(key, "max-backends"))
		return parse_count(val, &r->max_backends);
	if (!strcmp(key, "max-queues"))
		return parse_count(val, &r->max_queues);
	if (!strcmp(key, "vhost"))
		return parse_bool(val, &r->vhost);
	return -ENOENT;
}

static int daemon_set(struct policy *p, const char *key, const char *val)
{
	if (!strcmp(key, "stats"))
		return parse_bool(val, &p->stats);
	if (!strcmp(key, "socket-group")) {
		struct group *g = getgrnam(val);
		if (!g)
			return -ENOENT;
		p->socket_gid = g->gr_gid;
		return 0;
	}
	return -ENOENT;
}

int policy_parse(const char *text, const char *name, struct policy **ret, char *err, size_t errlen)
{
	struct policy *p = calloc(1, sizeof(*p));
	char *copy = strdup(text ? text : ""), *save = NULL, *line;
	struct policy_rule *cur = NULL;
	bool in_daemon = false;
	unsigned lineno = 0;
	int rc = 0;

	if (!p || !copy) {
		free(p);
		free(copy);
		return -ENOMEM;
	}
	p->stats = true;
	p->socket_gid = -1;
	snprintf(p->path, sizeof(p->path), "%s", name);
	/* strtok_r would merge empty lines and break line numbers: split by hand. */
	for (line = copy; line; line = save) {
		char *s, *eq;
		save = strchr(line, '\n');
		if (save)
			*save++ = '\0';
		lineno++;
		s = strchr(line, '#');
		if (s)
			*s = '\0';
		s = trim(line);
		if (!*s)
			continue;
		if (*s == '[') {
			char *close = strchr(s, ']');
			if (!close || trim(close + 1)[0]) {
				snprintf(err, errlen, "%s:%u: a section header is [NAME]", name, lineno);
				rc = -EINVAL;
				break;
			}
			*close = '\0';
			s = trim(s + 1);
			in_daemon = !strcmp(s, "daemon");
			if (in_daemon) {
				cur = NULL;
				continue;
			}
			struct policy_rule *grown = realloc(p->rules, (p->n_rules + 1) * sizeof(*grown));
			if (!grown) {
				rc = -ENOMEM;
				break;
			}
			p->rules = grown;
			cur = &p->rules[p->n_rules++];
			memset(cur, 0, sizeof(*cur));
			cur->line = lineno;
			char serr[200];
			rc = parse_section(s, cur, serr, sizeof(serr));
			if (rc < 0) {
				snprintf(err, errlen, "%s:%u: %s", name, lineno, serr);
				break;
			}
			continue;
		}
		eq = strchr(s, '=');
		if (!eq) {
			snprintf(err, errlen, "%s:%u: expected KEY = VALUE", name, lineno);
			rc = -EINVAL;
			break;
		}
		*eq = '\0';
		char *key = trim(s), *val = trim(eq + 1);
		if (in_daemon)
			rc = daemon_set(p, key, val);
		else if (cur)
			rc = rule_set(cur, key, val);
		else
			rc = -ENOENT;
		if (rc == -ENOENT && in_daemon && !strcmp(key, "socket-group")) {
			snprintf(err, errlen, "%s:%u: socket-group: no such group '%s'", name, lineno, val);
			break;
		}
		if (rc == -ENOENT) {
			snprintf(err, errlen, "%s:%u: unknown key '%s'%s", name, lineno, key,
				 cur || in_daemon ? "" : " outside a section");
			rc = -EINVAL;
			break;
		}
		if (rc < 0) {
			snprintf(err, errlen, "%s:%u: bad value for %s: '%s'", name, lineno, key, val);
			break;
		}
	}
	free(copy);
	if (rc < 0) {
		policy_free(p);
		return rc;
	}
	*ret = p;
	return 0;
}

int policy_load(const char *path, struct policy **ret, char *err, size_t errlen)
{
	FILE *f;
	char *text = NULL;
	size_t len = 0;
	int rc;

	if (!path)
		return policy_parse("", "(embedded defaults)", ret, err, errlen);
	f = fopen(path, "re");
	if (!f) {
		rc = -errno;
		snprintf(err, errlen, "cannot read %s: %s", path, strerror(-rc));
		return rc;
	}
	FILE *m = open_memstream(&text, &len);
	char buf[4096];
	size_t n;
	while (m && (n = fread(buf, 1, sizeof(buf), f)) > 0)
		fwrite(buf, 1, n, m);
	fclose(f);
	if (!m)
		return -ENOMEM;
	fclose(m);
	rc = policy_parse(text, path, ret, err, errlen);
	free(text);
	return rc;
}

static bool cred_in_group(const struct client_cred *c, uint32_t gid)
{
	if (c->gid == gid)
		return true;
	for (unsigned i = 0; i < c->n_groups; i++)
		if (c->groups[i] == gid)
			return true;
	return false;
}

const struct policy_rule *policy_match(const struct policy *p, const struct client_cred *c)
{
	for (size_t i = 0; i < p->n_rules; i++)
		if (!p->rules[i].is_group && p->rules[i].id == c->uid)
			return &p->rules[i];
	for (size_t i = 0; i < p->n_rules; i++)
		if (p->rules[i].is_group && cred_in_group(c, p->rules[i].id))
			return &p->rules[i];
	return NULL;
}

static bool list_allows(const struct policy_list *l, const char *name)
{
	for (size_t i = 0; i < l->n; i++)
		if (fnmatch(l->items[i], name, 0) == 0)
			return true;
	return false;
}

static const char *arg_str(json_object *args, const char *key)
{
	json_object *v;

	if (!json_object_object_get_ex(args, key, &v) || !json_object_is_type(v, json_type_string))
		return NULL;
	return json_object_get_string(v);
}

#define DENY(...) op_fail(e, EPERM, __VA_ARGS__)

int policy_check_add(const struct policy *p, const struct client_cred *c, const char *kind,
		     const char *guest, json_object *args, unsigned queues, bool vhost,
		     const struct policy_usage *usage, struct op_error *e)
{
	const struct policy_rule *r;
	const char *where = p->path;
	unsigned bit;
	json_object *v;

	if (c->uid == 0)
		return 0;
	r = policy_match(p, c);
	if (!r)
		return DENY("uid %u may not create backends: no rule in %s names it or its groups",
			    (unsigned)c->uid, where);
	bit = !strcmp(kind, "tap") ? POLICY_KIND_TAP : !strcmp(kind, "macvtap") ? POLICY_KIND_MACVTAP :
	      !strcmp(kind, "vf") ? POLICY_KIND_VF : 0;
	if (!(r->kinds & bit))
		return DENY("%s backends are not allowed by %s (%s line %u: kinds)", kind, r->section, where, r->line);
	if (r->guests.set && !list_allows(&r->guests, guest))
		return DENY("guest name '%s' is not allowed by %s (%s line %u: guests)", guest, r->section, where, r->line);
	if (bit == POLICY_KIND_TAP) {
		const char *br = arg_str(args, "bridge");
		if (br && !list_allows(&r->bridges, br))
			return DENY("bridge '%s' is not allowed by %s (%s line %u: bridges)", br, r->section, where, r->line);
	} else if (bit == POLICY_KIND_MACVTAP) {
		const char *link = arg_str(args, "link");
		if (!link || !list_allows(&r->links, link))
			return DENY("lower device '%s' is not allowed by %s (%s line %u: links)", link ? link : "",
				    r->section, where, r->line);
	} else if (bit == POLICY_KIND_VF) {
		const char *pf = arg_str(args, "pf");
		if (!pf || !list_allows(&r->pfs, pf))
			return DENY("PF '%s' is not allowed by %s (%s line %u: pfs)", pf ? pf : "", r->section, where, r->line);
		if (json_object_object_get_ex(args, "vlan", &v)) {
			int64_t vid = json_object_get_int64(v);
			bool ok = false;
			for (size_t i = 0; i < r->n_vlans && !ok; i++)
				ok = vid >= r->vlans[i].lo && vid <= r->vlans[i].hi;
			if (!ok)
				return DENY("VLAN %lld is not allowed by %s (%s line %u: vlans)", (long long)vid,
					    r->section, where, r->line);
		}
	}
	if (vhost && !r->vhost)
		return DENY("vhost-net fds are not allowed by %s (%s line %u: vhost); ask for vhost off",
			    r->section, where, r->line);
	if (r->max_backends >= 0 && usage->backends + 1 > (unsigned long)r->max_backends)
		return DENY("uid %u holds %u backends; %s allows %ld (%s line %u: max-backends)", (unsigned)c->uid,
			    usage->backends, r->section, r->max_backends, where, r->line);
	if (r->max_queues >= 0 && usage->queues + queues > (unsigned long)r->max_queues)
		return DENY("uid %u holds %u queues and asks for %u more; %s allows %ld (%s line %u: max-queues)",
			    (unsigned)c->uid, usage->queues, queues, r->section, r->max_queues, where, r->line);
	return 0;
}
