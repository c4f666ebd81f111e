CREATE TABLE `agency_quotas` (
	`agency_id` text NOT NULL,
	`period` text NOT NULL,
	`max_sorties` integer,
	`max_flight_min` real,
	`updated_by` text NOT NULL,
	`updated_at` integer NOT NULL,
	PRIMARY KEY(`agency_id`, `period`),
	FOREIGN KEY (`agency_id`) REFERENCES `agencies`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE TABLE `dispatch_records` (
	`key` text PRIMARY KEY NOT NULL,
	`sortie_id` text NOT NULL,
	`attempt` integer NOT NULL,
	`status` text NOT NULL,
	`step` text NOT NULL,
	`start_from_item` integer NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`sortie_id`) REFERENCES `sorties`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE TABLE `fleet_events` (
	`seq` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`at` integer NOT NULL,
	`kind` text NOT NULL,
	`severity` text NOT NULL,
	`sortie_id` text,
	`dock_id` text,
	`drone_id` text,
	`agency_id` text,
	`owner_agency_id` text,
	`detail` text NOT NULL
);
--> statement-breakpoint
CREATE INDEX `fleet_events_at_idx` ON `fleet_events` (`at`);--> statement-breakpoint
CREATE TABLE `missions` (
	`id` text PRIMARY KEY NOT NULL,
	`agency_id` text NOT NULL,
	`owner_agency_id` text NOT NULL,
	`dock_id` text NOT NULL,
	`plan_id` text,
	`name` text NOT NULL,
	`purpose` text NOT NULL,
	`priority` integer NOT NULL,
	`area_ids` text NOT NULL,
	`schedule` text NOT NULL,
	`window_min` real NOT NULL,
	`estimated_flight_min` real NOT NULL,
	`route` text NOT NULL,
	`status` text NOT NULL,
	`status_reason` text,
	`decided_by` text,
	`decided_at` integer,
	`materialised_until` integer,
	`created_by` text NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`agency_id`) REFERENCES `agencies`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`owner_agency_id`) REFERENCES `agencies`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`dock_id`) REFERENCES `docks`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`plan_id`) REFERENCES `plans`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `missions_agency_created_idx` ON `missions` (`agency_id`,`created_at`,`id`);--> statement-breakpoint
CREATE INDEX `missions_owner_created_idx` ON `missions` (`owner_agency_id`,`created_at`,`id`);--> statement-breakpoint
CREATE INDEX `missions_status_idx` ON `missions` (`status`);--> statement-breakpoint
CREATE TABLE `sortie_transitions` (
	`seq` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`sortie_id` text NOT NULL,
	`from_state` text,
	`to_state` text NOT NULL,
	`at` integer NOT NULL,
	`actor` text NOT NULL,
	`reason_code` text,
	`reason` text,
	FOREIGN KEY (`sortie_id`) REFERENCES `sorties`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `sortie_transitions_sortie_idx` ON `sortie_transitions` (`sortie_id`,`seq`);--> statement-breakpoint
CREATE TABLE `sorties` (
	`id` text PRIMARY KEY NOT NULL,
	`mission_id` text NOT NULL,
	`agency_id` text NOT NULL,
	`owner_agency_id` text NOT NULL,
	`dock_id` text NOT NULL,
	`drone_id` text,
	`priority` integer NOT NULL,
	`state` text NOT NULL,
	`reason_code` text,
	`reason_detail` text,
	`occurrence_at` integer NOT NULL,
	`due_at` integer NOT NULL,
	`window_ends_at` integer NOT NULL,
	`planned_flight_min` real NOT NULL,
	`flown_min` real NOT NULL,
	`attempt` integer NOT NULL,
	`last_reached_item` integer NOT NULL,
	`total_items` integer NOT NULL,
	`progress_pct` real NOT NULL,
	`abort_requested` integer NOT NULL,
	`failsafe_hold` integer NOT NULL,
	`launched_at` integer,
	`landed_at` integer,
	`version` integer NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`mission_id`) REFERENCES `missions`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`dock_id`) REFERENCES `docks`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`drone_id`) REFERENCES `drones`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `sorties_mission_occurrence_idx` ON `sorties` (`mission_id`,`occurrence_at`);--> statement-breakpoint
CREATE INDEX `sorties_dock_state_idx` ON `sorties` (`dock_id`,`state`);--> statement-breakpoint
CREATE INDEX `sorties_state_due_idx` ON `sorties` (`state`,`due_at`);--> statement-breakpoint
CREATE INDEX `sorties_agency_occurrence_idx` ON `sorties` (`agency_id`,`occurrence_at`);--> statement-breakpoint
CREATE TABLE `telemetry_samples` (
	`drone_id` text NOT NULL,
	`at_s` integer NOT NULL,
	`sortie_id` text,
	`lon` real NOT NULL,
	`lat` real NOT NULL,
	`alt_m` real NOT NULL,
	`battery_pct` real,
	`ground_speed_mps` real,
	`mode` text,
	PRIMARY KEY(`drone_id`, `at_s`)
);
--> statement-breakpoint
CREATE INDEX `telemetry_samples_sortie_idx` ON `telemetry_samples` (`sortie_id`,`at_s`);--> statement-breakpoint
CREATE INDEX `telemetry_samples_at_idx` ON `telemetry_samples` (`at_s`);