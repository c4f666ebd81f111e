-- Hand-written (drizzle-kit cannot generate virtual tables or triggers).
-- An R*Tree over alerts with every dimension GET /v1/alerts filters on: lon, lat, observed time
-- span (ms; the R*Tree stores 32-bit floats rounded outwards, so it returns a superset that the
-- join on `alerts` then filters exactly) and the alert type code. Triggers keep it in step.
CREATE VIRTUAL TABLE `alerts_rtree` USING rtree(`seq`, `min_lon`, `max_lon`, `min_lat`, `max_lat`, `min_t`, `max_t`, `min_type`, `max_type`);
--> statement-breakpoint
INSERT INTO `alerts_rtree` SELECT `seq`, `min_lon`, `max_lon`, `min_lat`, `max_lat`, `first_observed_at`, `last_observed_at`, `type_code`, `type_code` FROM `alerts`;
--> statement-breakpoint
CREATE TRIGGER `alerts_rtree_insert` AFTER INSERT ON `alerts` BEGIN
  INSERT INTO `alerts_rtree` VALUES (new.`seq`, new.`min_lon`, new.`max_lon`, new.`min_lat`, new.`max_lat`, new.`first_observed_at`, new.`last_observed_at`, new.`type_code`, new.`type_code`);
END;
--> statement-breakpoint
CREATE TRIGGER `alerts_rtree_update` AFTER UPDATE OF `min_lon`, `max_lon`, `min_lat`, `max_lat`, `first_observed_at`, `last_observed_at`, `type_code` ON `alerts` BEGIN
  UPDATE `alerts_rtree` SET `min_lon` = new.`min_lon`, `max_lon` = new.`max_lon`, `min_lat` = new.`min_lat`, `max_lat` = new.`max_lat`, `min_t` = new.`first_observed_at`, `max_t` = new.`last_observed_at`, `min_type` = new.`type_code`, `max_type` = new.`type_code` WHERE `seq` = new.`seq`;
END;
--> statement-breakpoint
CREATE TRIGGER `alerts_rtree_delete` AFTER DELETE ON `alerts` BEGIN
  DELETE FROM `alerts_rtree` WHERE `seq` = old.`seq`;
END;
--> statement-breakpoint
-- The audit log is append-only: the database itself refuses to change or remove an entry.
CREATE TRIGGER `audit_log_no_update` BEFORE UPDATE ON `audit_log` BEGIN
  SELECT RAISE(ABORT, 'audit_log is append-only');
END;
--> statement-breakpoint
CREATE TRIGGER `audit_log_no_delete` BEFORE DELETE ON `audit_log` BEGIN
  SELECT RAISE(ABORT, 'audit_log is append-only');
END;
