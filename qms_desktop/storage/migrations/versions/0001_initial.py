"""The first schema: every module's tables and the audit trail.

Revision ID: 0001
Revises:
Create Date: 2026-11-25
"""
from alembic import op
import sqlalchemy as sa

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("PRAGMA application_id=1364022103")  # "QMSW": marks a workspace file
    op.create_table('audit_event',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('at', sa.String(length=32), nullable=False),
    sa.Column('user', sa.String(length=120), nullable=False),
    sa.Column('op', sa.String(length=6), nullable=False),
    sa.Column('entity', sa.String(length=60), nullable=False),
    sa.Column('record_id', sa.Integer(), nullable=False),
    sa.Column('field', sa.String(length=60), nullable=False),
    sa.Column('old', sa.Text(), nullable=True),
    sa.Column('new', sa.Text(), nullable=True),
    sa.Column('prev_hash', sa.String(length=64), nullable=False),
    sa.Column('hash', sa.String(length=64), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_event'))
    )
    op.create_index('ix_audit_entity_record', 'audit_event', ['entity', 'record_id'], unique=False)
    op.create_table('checklist_template',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('version', sa.String(length=20), nullable=False),
    sa.Column('standard', sa.String(length=60), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_checklist_template'))
    )
    op.create_table('management_review',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('held_on', sa.Date(), nullable=True),
    sa.Column('chair', sa.String(length=200), nullable=False),
    sa.Column('attendees', sa.Text(), nullable=False),
    sa.Column('inputs', sa.Text(), nullable=False),
    sa.Column('outputs', sa.Text(), nullable=False),
    sa.Column('minutes', sa.Text(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_management_review'))
    )
    op.create_table('organization',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('scope', sa.Text(), nullable=False),
    sa.Column('quality_policy', sa.Text(), nullable=False),
    sa.Column('sites', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_organization'))
    )
    op.create_table('person',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('email', sa.String(length=200), nullable=False),
    sa.Column('employee_no', sa.String(length=40), nullable=False),
    sa.Column('department', sa.String(length=120), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('hired_on', sa.Date(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_person'))
    )
    op.create_index(op.f('ix_person_name'), 'person', ['name'], unique=False)
    op.create_table('role',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_role')),
    sa.UniqueConstraint('name', name=op.f('uq_role_name'))
    )
    op.create_table('setting',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=120), nullable=False),
    sa.Column('value', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_setting')),
    sa.UniqueConstraint('key', name=op.f('uq_setting_key'))
    )
    op.create_table('signature',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('entity', sa.String(length=60), nullable=False),
    sa.Column('record_id', sa.Integer(), nullable=False),
    sa.Column('meaning', sa.String(length=20), nullable=False),
    sa.Column('signer_name', sa.String(length=200), nullable=False),
    sa.Column('user', sa.String(length=120), nullable=False),
    sa.Column('signed_at', sa.DateTime(), nullable=False),
    sa.Column('record_hash', sa.String(length=64), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_signature'))
    )
    op.create_table('checklist_item',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('template_id', sa.Integer(), nullable=False),
    sa.Column('order', sa.Integer(), nullable=False),
    sa.Column('clause', sa.String(length=20), nullable=False),
    sa.Column('title', sa.Text(), nullable=False),
    sa.Column('guidance', sa.Text(), nullable=False),
    sa.Column('expected_evidence', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['template_id'], ['checklist_template.id'], name=op.f('fk_checklist_item_template_id_checklist_template'), initially='DEFERRED', deferrable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_checklist_item'))
    )
    op.create_index(op.f('ix_checklist_item_template_id'), 'checklist_item', ['template_id'], unique=False)
    op.create_table('person_role',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('role_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], name=op.f('fk_person_role_person_id_person'), initially='DEFERRED', deferrable=True),
    sa.ForeignKeyConstraint(['role_id'], ['role.id'], name=op.f('fk_person_role_role_id_role'), initially='DEFERRED', deferrable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_person_role')),
    sa.UniqueConstraint('person_id', 'role_id', name=op.f('uq_person_role_person_id'))
    )
    op.create_index(op.f('ix_person_role_person_id'), 'person_role', ['person_id'], unique=False)
    op.create_index(op.f('ix_person_role_role_id'), 'person_role', ['role_id'], unique=False)
    op.create_table('process',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=40), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('owner_role_id', sa.Integer(), nullable=True),
    sa.Column('purpose', sa.Text(), nullable=False),
    sa.Column('suppliers', sa.Text(), nullable=False),
    sa.Column('inputs', sa.Text(), nullable=False),
    sa.Column('outputs', sa.Text(), nullable=False),
    sa.Column('customers', sa.Text(), nullable=False),
    sa.Column('resources', sa.Text(), nullable=False),
    sa.Column('kpis', sa.Text(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('parent_id', sa.Integer(), nullable=True),
    sa.Column('map_extra', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['owner_role_id'], ['role.id'], name=op.f('fk_process_owner_role_id_role'), initially='DEFERRED', deferrable=True),
    sa.ForeignKeyConstraint(['parent_id'], ['process.id'], name=op.f('fk_process_parent_id_process'), initially='DEFERRED', deferrable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_process'))
    )
    op.create_index(op.f('ix_process_name'), 'process', ['name'], unique=False)
    op.create_index(op.f('ix_process_owner_role_id'), 'process', ['owner_role_id'], unique=False)
    op.create_index(op.f('ix_process_parent_id'), 'process', ['parent_id'], unique=False)
    op.create_table('checklist_run',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('template_id', sa.Integer(), nullable=True),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('scope', sa.Text(), nullable=False),
    sa.Column('auditor', sa.String(length=200), nullable=False),
    sa.Column('auditee', sa.String(length=200), nullable=False),
    sa.Column('process_id', sa.Integer(), nullable=True),
    sa.Column('planned_on', sa.Date(), nullable=True),
    sa.Column('started_on', sa.Date(), nullable=True),
    sa.Column('completed_on', sa.Date(), nullable=True),
    sa.Column('stage', sa.String(length=20), nullable=False),
    sa.ForeignKeyConstraint(['process_id'], ['process.id'], name=op.f('fk_checklist_run_process_id_process'), initially='DEFERRED', deferrable=True),
    sa.ForeignKeyConstraint(['template_id'], ['checklist_template.id'], name=op.f('fk_checklist_run_template_id_checklist_template'), initially='DEFERRED', deferrable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_checklist_run'))
    )
    op.create_index(op.f('ix_checklist_run_process_id'), 'checklist_run', ['process_id'], unique=False)
    op.create_index(op.f('ix_checklist_run_template_id'), 'checklist_run', ['template_id'], unique=False)
    op.create_table('document',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('number', sa.String(length=40), nullable=False),
    sa.Column('title', sa.Text(), nullable=False),
    sa.Column('kind', sa.String(length=30), nullable=False),
    sa.Column('owner_id', sa.Integer(), nullable=True),
    sa.Column('process_id', sa.Integer(), nullable=True),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('current_revision', sa.String(length=20), nullable=False),
    sa.Column('purpose', sa.Text(), nullable=False),
    sa.Column('scope', sa.Text(), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['owner_id'], ['person.id'], name=op.f('fk_document_owner_id_person'), initially='DEFERRED', deferrable=True),
    sa.ForeignKeyConstraint(['process_id'], ['process.id'], name=op.f('fk_document_process_id_process'), initially='DEFERRED', deferrable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_document'))
    )
    op.create_index(op.f('ix_document_number'), 'document', ['number'], unique=False)
    op.create_index(op.f('ix_document_owner_id'), 'document', ['owner_id'], unique=False)
    op.create_index(op.f('ix_document_process_id'), 'document', ['process_id'], unique=False)
    op.create_table('nonconformity',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('ref', sa.String(length=40), nullable=False),
    sa.Column('title', sa.Text(), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('detected_on', sa.Date(), nullable=True),
    sa.Column('source', sa.String(length=60), nullable=False),
    sa.Column('process_id', sa.Integer(), nullable=True),
    sa.Column('correction', sa.Text(), nullable=False),
    sa.Column('root_cause', sa.Text(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.ForeignKeyConstraint(['process_id'], ['process.id'], name=op.f('fk_nonconformity_process_id_process'), initially='DEFERRED', deferrable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_nonconformity'))
    )
    op.create_index(op.f('ix_nonconformity_process_id'), 'nonconformity', ['process_id'], unique=False)
    op.create_table('objective',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('ref', sa.String(length=40), nullable=False),
    sa.Column('title', sa.Text(), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('process_id', sa.Integer(), nullable=True),
    sa.Column('owner_id', sa.Integer(), nullable=True),
    sa.Column('target', sa.Float(), nullable=True),
    sa.Column('unit', sa.String(length=40), nullable=False),
    sa.Column('direction', sa.String(length=2), nullable=False),
    sa.Column('frequency', sa.String(length=20), nullable=False),
    sa.Column('due_date', sa.Date(), nullable=True),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.ForeignKeyConstraint(['owner_id'], ['person.id'], name=op.f('fk_objective_owner_id_person'), initially='DEFERRED', deferrable=True),
    sa.ForeignKeyConstraint(['process_id'], ['process.id'], name=op.f('fk_objective_process_id_process'), initially='DEFERRED', deferrable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_objective'))
    )
    op.create_index(op.f('ix_objective_owner_id'), 'objective', ['owner_id'], unique=False)
    op.create_index(op.f('ix_objective_process_id'), 'objective', ['process_id'], unique=False)
    op.create_table('process_lane',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('process_id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=200), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('role_id', sa.Integer(), nullable=True),
    sa.Column('order', sa.Integer(), nullable=False),
    sa.Column('x', sa.Float(), nullable=False),
    sa.Column('y', sa.Float(), nullable=False),
    sa.Column('w', sa.Float(), nullable=False),
    sa.Column('h', sa.Float(), nullable=False),
    sa.Column('extra', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['process_id'], ['process.id'], name=op.f('fk_process_lane_process_id_process'), initially='DEFERRED', deferrable=True),
    sa.ForeignKeyConstraint(['role_id'], ['role.id'], name=op.f('fk_process_lane_role_id_role'), initially='DEFERRED', deferrable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_process_lane'))
    )
    op.create_index(op.f('ix_process_lane_process_id'), 'process_lane', ['process_id'], unique=False)
    op.create_index(op.f('ix_process_lane_role_id'), 'process_lane', ['role_id'], unique=False)
    op.create_table('course',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=40), nullable=False),
    sa.Column('title', sa.Text(), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('kind', sa.String(length=30), nullable=False),
    sa.Column('validity_months', sa.Integer(), nullable=True),
    sa.Column('document_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['document_id'], ['document.id'], name=op.f('fk_course_document_id_document'), initially='DEFERRED', deferrable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_course'))
    )
    op.create_index(op.f('ix_course_document_id'), 'course', ['document_id'], unique=False)
    op.create_table('measurement',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('objective_id', sa.Integer(), nullable=False),
    sa.Column('measured_on', sa.Date(), nullable=False),
    sa.Column('value', sa.Float(), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['objective_id'], ['objective.id'], name=op.f('fk_measurement_objective_id_objective'), initially='DEFERRED', deferrable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_measurement'))
    )
    op.create_index(op.f('ix_measurement_objective_id'), 'measurement', ['objective_id'], unique=False)
    op.create_table('process_node',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('process_id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=200), nullable=False),
    sa.Column('kind', sa.String(length=30), nullable=False),
    sa.Column('bpmn_type', sa.String(length=60), nullable=False),
    sa.Column('name', sa.Text(), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('lane_id', sa.Integer(), nullable=True),
    sa.Column('parent_node_id', sa.Integer(), nullable=True),
    sa.Column('role_id', sa.Integer(), nullable=True),
    sa.Column('subprocess_id', sa.Integer(), nullable=True),
    sa.Column('duration_minutes', sa.Float(), nullable=True),
    sa.Column('x', sa.Float(), nullable=False),
    sa.Column('y', sa.Float(), nullable=False),
    sa.Column('w', sa.Float(), nullable=False),
    sa.Column('h', sa.Float(), nullable=False),
    sa.Column('extra', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['lane_id'], ['process_lane.id'], name=op.f('fk_process_node_lane_id_process_lane'), initially='DEFERRED', deferrable=True),
    sa.ForeignKeyConstraint(['parent_node_id'], ['process_node.id'], name=op.f('fk_process_node_parent_node_id_process_node'), initially='DEFERRED', deferrable=True),
    sa.ForeignKeyConstraint(['process_id'], ['process.id'], name=op.f('fk_process_node_process_id_process'), initially='DEFERRED', deferrable=True),
    sa.ForeignKeyConstraint(['role_id'], ['role.id'], name=op.f('fk_process_node_role_id_role'), initially='DEFERRED', deferrable=True),
    sa.ForeignKeyConstraint(['subprocess_id'], ['process.id'], name=op.f('fk_process_node_subprocess_id_process'), initially='DEFERRED', deferrable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_process_node'))
    )
    op.create_index(op.f('ix_process_node_lane_id'), 'process_node', ['lane_id'], unique=False)
    op.create_index(op.f('ix_process_node_parent_node_id'), 'process_node', ['parent_node_id'], unique=False)
    op.create_index(op.f('ix_process_node_process_id'), 'process_node', ['process_id'], unique=False)
    op.create_index(op.f('ix_process_node_role_id'), 'process_node', ['role_id'], unique=False)
    op.create_index(op.f('ix_process_node_subprocess_id'), 'process_node', ['subprocess_id'], unique=False)
    op.create_table('response',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('run_id', sa.Integer(), nullable=False),
    sa.Column('item_id', sa.Integer(), nullable=False),
    sa.Column('result', sa.String(length=20), nullable=True),
    sa.Column('evidence', sa.Text(), nullable=False),
    sa.Column('notes', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['item_id'], ['checklist_item.id'], name=op.f('fk_response_item_id_checklist_item'), initially='DEFERRED', deferrable=True),
    sa.ForeignKeyConstraint(['run_id'], ['checklist_run.id'], name=op.f('fk_response_run_id_checklist_run'), initially='DEFERRED', deferrable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_response')),
    sa.UniqueConstraint('run_id', 'item_id', name=op.f('uq_response_run_id'))
    )
    op.create_index(op.f('ix_response_item_id'), 'response', ['item_id'], unique=False)
    op.create_index(op.f('ix_response_run_id'), 'response', ['run_id'], unique=False)
    op.create_table('revision',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('document_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.String(length=20), nullable=False),
    sa.Column('issued_on', sa.Date(), nullable=True),
    sa.Column('change_summary', sa.Text(), nullable=False),
    sa.Column('author', sa.String(length=200), nullable=False),
    sa.Column('approver', sa.String(length=200), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.ForeignKeyConstraint(['document_id'], ['document.id'], name=op.f('fk_revision_document_id_document'), initially='DEFERRED', deferrable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_revision'))
    )
    op.create_index(op.f('ix_revision_document_id'), 'revision', ['document_id'], unique=False)
    op.create_table('finding',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('run_id', sa.Integer(), nullable=False),
    sa.Column('response_id', sa.Integer(), nullable=True),
    sa.Column('ref', sa.String(length=40), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('clause', sa.String(length=20), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('correction', sa.Text(), nullable=False),
    sa.Column('root_cause', sa.Text(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.ForeignKeyConstraint(['response_id'], ['response.id'], name=op.f('fk_finding_response_id_response'), initially='DEFERRED', deferrable=True),
    sa.ForeignKeyConstraint(['run_id'], ['checklist_run.id'], name=op.f('fk_finding_run_id_checklist_run'), initially='DEFERRED', deferrable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_finding'))
    )
    op.create_index(op.f('ix_finding_response_id'), 'finding', ['response_id'], unique=False)
    op.create_index(op.f('ix_finding_run_id'), 'finding', ['run_id'], unique=False)
    op.create_table('node_document',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('node_id', sa.Integer(), nullable=False),
    sa.Column('document_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.ForeignKeyConstraint(['document_id'], ['document.id'], name=op.f('fk_node_document_document_id_document'), initially='DEFERRED', deferrable=True),
    sa.ForeignKeyConstraint(['node_id'], ['process_node.id'], name=op.f('fk_node_document_node_id_process_node'), initially='DEFERRED', deferrable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_node_document')),
    sa.UniqueConstraint('node_id', 'document_id', 'kind', name=op.f('uq_node_document_node_id'))
    )
    op.create_index(op.f('ix_node_document_document_id'), 'node_document', ['document_id'], unique=False)
    op.create_index(op.f('ix_node_document_node_id'), 'node_document', ['node_id'], unique=False)
    op.create_table('node_objective',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('node_id', sa.Integer(), nullable=False),
    sa.Column('objective_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['node_id'], ['process_node.id'], name=op.f('fk_node_objective_node_id_process_node'), initially='DEFERRED', deferrable=True),
    sa.ForeignKeyConstraint(['objective_id'], ['objective.id'], name=op.f('fk_node_objective_objective_id_objective'), initially='DEFERRED', deferrable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_node_objective')),
    sa.UniqueConstraint('node_id', 'objective_id', name=op.f('uq_node_objective_node_id'))
    )
    op.create_index(op.f('ix_node_objective_node_id'), 'node_objective', ['node_id'], unique=False)
    op.create_index(op.f('ix_node_objective_objective_id'), 'node_objective', ['objective_id'], unique=False)
    op.create_table('process_edge',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('process_id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=200), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('source_id', sa.Integer(), nullable=False),
    sa.Column('target_id', sa.Integer(), nullable=False),
    sa.Column('label', sa.Text(), nullable=False),
    sa.Column('condition', sa.Text(), nullable=False),
    sa.Column('waypoints', sa.Text(), nullable=False),
    sa.Column('extra', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['process_id'], ['process.id'], name=op.f('fk_process_edge_process_id_process'), initially='DEFERRED', deferrable=True),
    sa.ForeignKeyConstraint(['source_id'], ['process_node.id'], name=op.f('fk_process_edge_source_id_process_node'), initially='DEFERRED', deferrable=True),
    sa.ForeignKeyConstraint(['target_id'], ['process_node.id'], name=op.f('fk_process_edge_target_id_process_node'), initially='DEFERRED', deferrable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_process_edge'))
    )
    op.create_index(op.f('ix_process_edge_process_id'), 'process_edge', ['process_id'], unique=False)
    op.create_index(op.f('ix_process_edge_source_id'), 'process_edge', ['source_id'], unique=False)
    op.create_index(op.f('ix_process_edge_target_id'), 'process_edge', ['target_id'], unique=False)
    op.create_table('risk',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('ref', sa.String(length=40), nullable=False),
    sa.Column('title', sa.Text(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('category', sa.String(length=120), nullable=False),
    sa.Column('process_id', sa.Integer(), nullable=True),
    sa.Column('node_id', sa.Integer(), nullable=True),
    sa.Column('cause', sa.Text(), nullable=False),
    sa.Column('effect', sa.Text(), nullable=False),
    sa.Column('owner_id', sa.Integer(), nullable=True),
    sa.Column('controls', sa.Text(), nullable=False),
    sa.Column('treatment', sa.Text(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('review_date', sa.Date(), nullable=True),
    sa.Column('identified_on', sa.Date(), nullable=True),
    sa.Column('method', sa.String(length=10), nullable=False),
    sa.Column('inherent_likelihood', sa.Integer(), nullable=True),
    sa.Column('inherent_impact', sa.Integer(), nullable=True),
    sa.Column('residual_likelihood', sa.Integer(), nullable=True),
    sa.Column('residual_impact', sa.Integer(), nullable=True),
    sa.Column('failure_mode', sa.Text(), nullable=False),
    sa.Column('severity', sa.Integer(), nullable=True),
    sa.Column('occurrence', sa.Integer(), nullable=True),
    sa.Column('detection', sa.Integer(), nullable=True),
    sa.Column('notes', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['node_id'], ['process_node.id'], name=op.f('fk_risk_node_id_process_node'), initially='DEFERRED', deferrable=True),
    sa.ForeignKeyConstraint(['owner_id'], ['person.id'], name=op.f('fk_risk_owner_id_person'), initially='DEFERRED', deferrable=True),
    sa.ForeignKeyConstraint(['process_id'], ['process.id'], name=op.f('fk_risk_process_id_process'), initially='DEFERRED', deferrable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_risk'))
    )
    op.create_index(op.f('ix_risk_node_id'), 'risk', ['node_id'], unique=False)
    op.create_index(op.f('ix_risk_owner_id'), 'risk', ['owner_id'], unique=False)
    op.create_index(op.f('ix_risk_process_id'), 'risk', ['process_id'], unique=False)
    op.create_index(op.f('ix_risk_ref'), 'risk', ['ref'], unique=False)
    op.create_table('role_course',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('role_id', sa.Integer(), nullable=False),
    sa.Column('course_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['course_id'], ['course.id'], name=op.f('fk_role_course_course_id_course'), initially='DEFERRED', deferrable=True),
    sa.ForeignKeyConstraint(['role_id'], ['role.id'], name=op.f('fk_role_course_role_id_role'), initially='DEFERRED', deferrable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_role_course')),
    sa.UniqueConstraint('role_id', 'course_id', name=op.f('uq_role_course_role_id'))
    )
    op.create_index(op.f('ix_role_course_course_id'), 'role_course', ['course_id'], unique=False)
    op.create_index(op.f('ix_role_course_role_id'), 'role_course', ['role_id'], unique=False)
    op.create_table('training_record',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('course_id', sa.Integer(), nullable=False),
    sa.Column('completed_on', sa.Date(), nullable=True),
    sa.Column('expires_on', sa.Date(), nullable=True),
    sa.Column('trainer', sa.String(length=200), nullable=False),
    sa.Column('evidence', sa.Text(), nullable=False),
    sa.Column('document_revision', sa.String(length=20), nullable=False),
    sa.Column('notes', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['course_id'], ['course.id'], name=op.f('fk_training_record_course_id_course'), initially='DEFERRED', deferrable=True),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], name=op.f('fk_training_record_person_id_person'), initially='DEFERRED', deferrable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_training_record'))
    )
    op.create_index('ix_training_person_course', 'training_record', ['person_id', 'course_id'], unique=False)
    op.create_index(op.f('ix_training_record_course_id'), 'training_record', ['course_id'], unique=False)
    op.create_table('action',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('ref', sa.String(length=40), nullable=False),
    sa.Column('title', sa.Text(), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('owner_id', sa.Integer(), nullable=True),
    sa.Column('due_date', sa.Date(), nullable=True),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('completed_on', sa.Date(), nullable=True),
    sa.Column('effectiveness_check', sa.Text(), nullable=False),
    sa.Column('effectiveness_due', sa.Date(), nullable=True),
    sa.Column('effective', sa.Boolean(), nullable=True),
    sa.Column('risk_id', sa.Integer(), nullable=True),
    sa.Column('finding_id', sa.Integer(), nullable=True),
    sa.Column('nonconformity_id', sa.Integer(), nullable=True),
    sa.Column('review_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['finding_id'], ['finding.id'], name=op.f('fk_action_finding_id_finding'), initially='DEFERRED', deferrable=True),
    sa.ForeignKeyConstraint(['nonconformity_id'], ['nonconformity.id'], name=op.f('fk_action_nonconformity_id_nonconformity'), initially='DEFERRED', deferrable=True),
    sa.ForeignKeyConstraint(['owner_id'], ['person.id'], name=op.f('fk_action_owner_id_person'), initially='DEFERRED', deferrable=True),
    sa.ForeignKeyConstraint(['review_id'], ['management_review.id'], name=op.f('fk_action_review_id_management_review'), initially='DEFERRED', deferrable=True),
    sa.ForeignKeyConstraint(['risk_id'], ['risk.id'], name=op.f('fk_action_risk_id_risk'), initially='DEFERRED', deferrable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_action'))
    )
    op.create_index(op.f('ix_action_due_date'), 'action', ['due_date'], unique=False)
    op.create_index(op.f('ix_action_finding_id'), 'action', ['finding_id'], unique=False)
    op.create_index(op.f('ix_action_nonconformity_id'), 'action', ['nonconformity_id'], unique=False)
    op.create_index(op.f('ix_action_owner_id'), 'action', ['owner_id'], unique=False)
    op.create_index(op.f('ix_action_ref'), 'action', ['ref'], unique=False)
    op.create_index(op.f('ix_action_review_id'), 'action', ['review_id'], unique=False)
    op.create_index(op.f('ix_action_risk_id'), 'action', ['risk_id'], unique=False)
    op.create_table('risk_rating',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('risk_id', sa.Integer(), nullable=False),
    sa.Column('rated_on', sa.Date(), nullable=False),
    sa.Column('stage', sa.String(length=20), nullable=False),
    sa.Column('likelihood', sa.Integer(), nullable=True),
    sa.Column('impact', sa.Integer(), nullable=True),
    sa.Column('severity', sa.Integer(), nullable=True),
    sa.Column('occurrence', sa.Integer(), nullable=True),
    sa.Column('detection', sa.Integer(), nullable=True),
    sa.Column('note', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['risk_id'], ['risk.id'], name=op.f('fk_risk_rating_risk_id_risk'), initially='DEFERRED', deferrable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_risk_rating'))
    )
    op.create_index(op.f('ix_risk_rating_risk_id'), 'risk_rating', ['risk_id'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_risk_rating_risk_id'), table_name='risk_rating')
    op.drop_table('risk_rating')
    op.drop_index(op.f('ix_action_risk_id'), table_name='action')
    op.drop_index(op.f('ix_action_review_id'), table_name='action')
    op.drop_index(op.f('ix_action_ref'), table_name='action')
    op.drop_index(op.f('ix_action_owner_id'), table_name='action')
    op.drop_index(op.f('ix_action_nonconformity_id'), table_name='action')
    op.drop_index(op.f('ix_action_finding_id'), table_name='action')
    op.drop_index(op.f('ix_action_due_date'), table_name='action')
    op.drop_table('action')
    op.drop_index(op.f('ix_training_record_course_id'), table_name='training_record')
    op.drop_index('ix_training_person_course', table_name='training_record')
    op.drop_table('training_record')
    op.drop_index(op.f('ix_role_course_role_id'), table_name='role_course')
    op.drop_index(op.f('ix_role_course_course_id'), table_name='role_course')
    op.drop_table('role_course')
    op.drop_index(op.f('ix_risk_ref'), table_name='risk')
    op.drop_index(op.f('ix_risk_process_id'), table_name='risk')
    op.drop_index(op.f('ix_risk_owner_id'), table_name='risk')
    op.drop_index(op.f('ix_risk_node_id'), table_name='risk')
    op.drop_table('risk')
    op.drop_index(op.f('ix_process_edge_target_id'), table_name='process_edge')
    op.drop_index(op.f('ix_process_edge_source_id'), table_name='process_edge')
    op.drop_index(op.f('ix_process_edge_process_id'), table_name='process_edge')
    op.drop_table('process_edge')
    op.drop_index(op.f('ix_node_objective_objective_id'), table_name='node_objective')
    op.drop_index(op.f('ix_node_objective_node_id'), table_name='node_objective')
    op.drop_table('node_objective')
    op.drop_index(op.f('ix_node_document_node_id'), table_name='node_document')
    op.drop_index(op.f('ix_node_document_document_id'), table_name='node_document')
    op.drop_table('node_document')
    op.drop_index(op.f('ix_finding_run_id'), table_name='finding')
    op.drop_index(op.f('ix_finding_response_id'), table_name='finding')
    op.drop_table('finding')
    op.drop_index(op.f('ix_revision_document_id'), table_name='revision')
    op.drop_table('revision')
    op.drop_index(op.f('ix_response_run_id'), table_name='response')
    op.drop_index(op.f('ix_response_item_id'), table_name='response')
    op.drop_table('response')
    op.drop_index(op.f('ix_process_node_subprocess_id'), table_name='process_node')
    op.drop_index(op.f('ix_process_node_role_id'), table_name='process_node')
    op.drop_index(op.f('ix_process_node_process_id'), table_name='process_node')
    op.drop_index(op.f('ix_process_node_parent_node_id'), table_name='process_node')
    op.drop_index(op.f('ix_process_node_lane_id'), table_name='process_node')
    op.drop_table('process_node')
    op.drop_index(op.f('ix_measurement_objective_id'), table_name='measurement')
    op.drop_table('measurement')
    op.drop_index(op.f('ix_course_document_id'), table_name='course')
    op.drop_table('course')
    op.drop_index(op.f('ix_process_lane_role_id'), table_name='process_lane')
    op.drop_index(op.f('ix_process_lane_process_id'), table_name='process_lane')
    op.drop_table('process_lane')
    op.drop_index(op.f('ix_objective_process_id'), table_name='objective')
    op.drop_index(op.f('ix_objective_owner_id'), table_name='objective')
    op.drop_table('objective')
    op.drop_index(op.f('ix_nonconformity_process_id'), table_name='nonconformity')
    op.drop_table('nonconformity')
    op.drop_index(op.f('ix_document_process_id'), table_name='document')
    op.drop_index(op.f('ix_document_owner_id'), table_name='document')
    op.drop_index(op.f('ix_document_number'), table_name='document')
    op.drop_table('document')
    op.drop_index(op.f('ix_checklist_run_template_id'), table_name='checklist_run')
    op.drop_index(op.f('ix_checklist_run_process_id'), table_name='checklist_run')
    op.drop_table('checklist_run')
    op.drop_index(op.f('ix_process_parent_id'), table_name='process')
    op.drop_index(op.f('ix_process_owner_role_id'), table_name='process')
    op.drop_index(op.f('ix_process_name'), table_name='process')
    op.drop_table('process')
    op.drop_index(op.f('ix_person_role_role_id'), table_name='person_role')
    op.drop_index(op.f('ix_person_role_person_id'), table_name='person_role')
    op.drop_table('person_role')
    op.drop_index(op.f('ix_checklist_item_template_id'), table_name='checklist_item')
    op.drop_table('checklist_item')
    op.drop_table('signature')
    op.drop_table('setting')
    op.drop_table('role')
    op.drop_index(op.f('ix_person_name'), table_name='person')
    op.drop_table('person')
    op.drop_table('organization')
    op.drop_table('management_review')
    op.drop_table('checklist_template')
    op.drop_index('ix_audit_entity_record', table_name='audit_event')
    op.drop_table('audit_event')
