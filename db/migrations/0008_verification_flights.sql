CREATE TABLE `verification_flights` (
	`verification_id` text PRIMARY KEY NOT NULL,
	`payload` text NOT NULL,
	`purpose` text NOT NULL,
	`dock_id` text,
	`plan_id` text,
	`mission_id` text,
	`sortie_id` text,
	`approved_by` text,
	`reason_code` text,
	`reason` text,
	`steps` text NOT NULL,
	`updated_at` integer NOT NULL,
	`completed_at` integer,
	FOREIGN KEY (`verification_id`) REFERENCES `verification_requests`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `verification_flights_sortie_idx` ON `verification_flights` (`sortie_id`);